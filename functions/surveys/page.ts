/**
 * GET/POST /survey/{token} — the public survey page (no login: the signed token is the credential).
 * GET only shows the form (a `?level=4` one-click link from the card just preselects the answers:
 * mail scanners open every link, so nothing is ever recorded on a GET); POST records the answer once.
 * Invalid or forged links 404, expired ones 410, answered cards 409.
 */
import { publicHtmlHandler } from '../../shared/http/bundle.ts';
import {
  parseSurveyForm,
  renderAlreadyAnswered,
  renderExpired,
  renderInvalid,
  renderSurveyForm,
  renderThanks,
  resolveSurveyLang,
  type SurveyFormValues,
} from '../../shared/surveys/page.ts';
import { SURVEY_ITEMS } from '../../shared/surveys/score.ts';
import { openSurveyLink, recordSurveyAnswer } from '../../shared/surveys/service.ts';
import { surveyPageDeps } from './deps.ts';

export const handler = publicHtmlHandler(async (req) => {
  const deps = surveyPageDeps();
  const token = req.params.token ?? '';
  const state = await openSurveyLink(deps, token);
  if (state.kind === 'invalid')
    return { status: 404, html: renderInvalid({ lang: resolveSurveyLang(req.query.lang) }) };
  if (state.kind === 'expired') return { status: 410, html: renderExpired({ lang: state.lang }) };

  const { card } = state;
  const already = () => ({
    status: 409,
    html: renderAlreadyAnswered({
      lang: card.lang,
      caseNumber: card.caseNumber,
      ...(card.answeredAt ? { answeredAt: new Date(card.answeredAt) } : {}),
      timeZone: deps.timeZone,
    }),
  });
  if (state.kind === 'answered') return already();

  const form = (status: number, values: SurveyFormValues, errors?: Record<string, string | undefined>) => ({
    status,
    html: renderSurveyForm({
      lang: card.lang,
      caseNumber: card.caseNumber,
      technicianName: card.technicianId,
      serviceDate: card.serviceDay,
      action: `/survey/${encodeURIComponent(token)}`,
      values,
      ...(errors ? { errors } : {}),
    }),
  });

  if (req.method !== 'POST') {
    const level = /^[1-4]$/.test(req.query.level ?? '') ? req.query.level : undefined;
    return form(200, level ? Object.fromEntries(SURVEY_ITEMS.map((item) => [item, level])) : {});
  }

  const parsed = parseSurveyForm(req.readForm(), card.lang);
  if (!parsed.ok) return form(400, parsed.values, parsed.errors);
  const result = await recordSurveyAnswer(
    deps,
    card,
    { answers: parsed.answers, comment: parsed.comment, complaint: parsed.complaint },
    'link',
  );
  if (result.outcome !== 'recorded') return already();
  return { status: 200, html: renderThanks({ lang: card.lang, caseNumber: card.caseNumber }) };
});
