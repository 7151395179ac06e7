/**
 * GET/POST /survey/{token} — the public survey page (no login: the signed token is the credential).
 * GET only shows the form (a `?level=4` one-click link from the card just preselects the answers:
 * mail scanners open every link, so nothing is ever recorded on a GET); POST records the answer once.
 * Invalid or forged links 404, expired ones 410, answered cards 409.
 */
import { type HtmlResult, type HttpRequest, htmlRoutes } from '../../shared/http/bundle.ts';
import { type SurveyCardRecord, technicianNameOf } from '../../shared/surveys/model.ts';
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
import { surveys } from './catalog.ts';
import { surveyAnswerDeps } from './deps.ts';

type PageEnv = { TABLE_NAME: string; TIME_ZONE: string; SURVEY_TOKEN_SECRET_ARN: string };

function alreadyAnswered(card: SurveyCardRecord, timeZone: string): HtmlResult {
  return {
    status: 409,
    html: renderAlreadyAnswered({
      lang: card.lang,
      caseNumber: card.caseNumber,
      ...(card.answeredAt ? { answeredAt: new Date(card.answeredAt) } : {}),
      timeZone,
    }),
  };
}

function form(
  card: SurveyCardRecord,
  token: string,
  status: number,
  values: SurveyFormValues,
  errors?: Record<string, string | undefined>,
): HtmlResult {
  return {
    status,
    html: renderSurveyForm({
      lang: card.lang,
      caseNumber: card.caseNumber,
      technicianName: technicianNameOf(card),
      serviceDate: card.serviceDay,
      action: `/survey/${encodeURIComponent(token)}`,
      values,
      ...(errors ? { errors } : {}),
    }),
  };
}

/** Opens the link: the open card, or the page that says why there is none. */
async function openCard(
  req: HttpRequest<PageEnv, { token: string }, { lang?: string | undefined }>,
): Promise<{ card: SurveyCardRecord; token: string } | { page: HtmlResult }> {
  const token = req.params.token;
  const state = await openSurveyLink(surveyAnswerDeps(req.env), token);
  if (state.kind === 'invalid')
    return { page: { status: 404, html: renderInvalid({ lang: resolveSurveyLang(req.query.lang) }) } };
  if (state.kind === 'expired') return { page: { status: 410, html: renderExpired({ lang: state.lang }) } };
  if (state.kind === 'answered') return { page: alreadyAnswered(state.card, req.env.TIME_ZONE) };
  return { card: state.card, token };
}

export const handler = htmlRoutes(surveys, 'survey-page', {
  'GET /survey/{token}': async (req) => {
    const opened = await openCard(req);
    if ('page' in opened) return opened.page;
    const level = /^[1-4]$/.test(req.query.level ?? '') ? req.query.level : undefined;
    return form(
      opened.card,
      opened.token,
      200,
      level ? Object.fromEntries(SURVEY_ITEMS.map((item) => [item, level])) : {},
    );
  },
  'POST /survey/{token}': async (req) => {
    const opened = await openCard(req);
    if ('page' in opened) return opened.page;
    const { card, token } = opened;
    const parsed = parseSurveyForm(req.readForm(), card.lang);
    if (!parsed.ok) return form(card, token, 400, parsed.values, parsed.errors);
    const result = await recordSurveyAnswer(
      surveyAnswerDeps(req.env),
      card,
      { answers: parsed.answers, comment: parsed.comment, complaint: parsed.complaint },
      'link',
    );
    if (result.outcome !== 'recorded') return alreadyAnswered(card, req.env.TIME_ZONE);
    return { status: 200, html: renderThanks({ lang: card.lang, caseNumber: card.caseNumber }) };
  },
});
