/**
 * Survey web pages, rendered on the server as complete HTML documents.
 *
 * Customers open these from an e-mail, usually on a phone, without logging in: the signed token in
 * the URL is the only credential. So the pages carry no scripts and no external assets (nothing
 * to load, nothing that could leak the token to a third party) and work as a plain HTML form.
 * Every value that comes from data or from the customer goes through {@link escapeHtml}.
 */
import { DEFAULT_TIME_ZONE } from '../branches/defaults.ts';
import {
  SURVEY_ITEMS,
  SURVEY_LEVELS,
  type SurveyAnswers,
  type SurveyItem,
  type SurveyLevel,
} from './score.ts';
import { SURVEY_TOKEN_TTL_DAYS } from './token.ts';

/** Languages the survey is offered in; Chinese is the default. */
export const SURVEY_LANGS = ['zh-CN', 'en'] as const;
export type SurveyLang = (typeof SURVEY_LANGS)[number];
export const DEFAULT_SURVEY_LANG: SurveyLang = 'zh-CN';

/** Longest accepted comment, in characters (Unicode code points, line breaks counted once). */
export const SURVEY_COMMENT_MAX_LENGTH = 4000;

/** Fields of the survey form, as named in the HTML and in validation errors. */
export type SurveyFormField = SurveyItem | 'comment' | 'complaint';

/** Values to show again in the form, e.g. after a validation error or from a one-click link. */
export type SurveyFormValues = Partial<Record<SurveyItem, string | number>> & {
  comment?: string;
  complaint?: boolean;
};

export type ParsedSurveyForm =
  | { ok: true; answers: SurveyAnswers; comment: string; complaint: boolean }
  | { ok: false; errors: Partial<Record<SurveyFormField, string>>; values: SurveyFormValues };

/**
 * Picks the survey language from a stored preference or a `lang` query value: any `en…` tag
 * gives English, anything else (including nothing) the default Chinese.
 */
export function resolveSurveyLang(value: string | null | undefined): SurveyLang {
  return value && /^en(-|$)/i.test(value.trim()) ? 'en' : DEFAULT_SURVEY_LANG;
}

/** Escapes the five characters that matter in HTML text and quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

interface ItemText {
  label: string;
  question: string;
}

interface SurveyTexts {
  items: Record<SurveyItem, ItemText>;
  levels: Record<SurveyLevel, string>;
  formTitle: string;
  intro: (p: { technicianName: string; serviceDate: string; caseNumber: string }) => string;
  caseNumber: string;
  technician: string;
  serviceDate: string;
  commentLabel: string;
  commentHint: string;
  complaintLabel: string;
  complaintHint: string;
  submit: string;
  errorSummary: string;
  errors: { required: string; level: string; commentTooLong: string; complaint: string };
  thanksTitle: string;
  thanksBody: (caseNumber: string) => string;
  alreadyTitle: string;
  alreadyBody: (caseNumber: string, answeredAt: string | undefined) => string;
  expiredTitle: string;
  expiredBody: string;
  invalidTitle: string;
  invalidBody: string;
}

// Interpolated parameters arrive here already escaped; only the page helpers call these.
const TEXTS: Record<SurveyLang, SurveyTexts> = {
  'zh-CN': {
    items: {
      attitude: { label: '服务态度', question: '技术员是否礼貌、耐心？' },
      skill: { label: '技术水平', question: '问题是否得到专业、彻底的解决？' },
      arrival: { label: '到达时间', question: '技术员是否按约定时间到达？' },
      promise: { label: '承诺兑现', question: '技术员答应的事情是否办到？' },
    },
    levels: { 1: '很不满意', 2: '不满意', 3: '满意', 4: '很满意' },
    formTitle: '服务满意度调查',
    intro: (p) =>
      `感谢您选择我们的服务。请对技术员 ${p.technicianName} 于 ${p.serviceDate} 为您处理的服务案件 ${p.caseNumber} 进行评价。`,
    caseNumber: '案件编号',
    technician: '技术员',
    serviceDate: '服务日期',
    commentLabel: '建议或抱怨（选填）',
    commentHint: `最多 ${SURVEY_COMMENT_MAX_LENGTH} 字。`,
    complaintLabel: '这是一项投诉',
    complaintHint: '勾选后，服务主管会与您联系并亲自处理。',
    submit: '提交评价',
    errorSummary: '请检查以下项目：',
    errors: {
      required: '请选择一个等级。',
      level: '请选择 1 至 4 之间的等级。',
      commentTooLong: `内容不能超过 ${SURVEY_COMMENT_MAX_LENGTH} 字。`,
      complaint: '选项无效。',
    },
    thanksTitle: '感谢您的评价',
    thanksBody: (c) => `我们已收到您对服务案件 ${c} 的评价。如您提出了投诉，服务部会尽快与您联系。`,
    alreadyTitle: '此调查已完成',
    alreadyBody: (c, at) =>
      `服务案件 ${c} 的调查${at ? `已于 ${at} ` : '已经'}提交。每张调查卡只能回答一次，感谢您的支持。`,
    expiredTitle: '调查链接已过期',
    expiredBody: `调查链接的有效期为 ${SURVEY_TOKEN_TTL_DAYS} 天，现已失效。如有意见或建议，欢迎致电我们的服务热线。`,
    invalidTitle: '链接无效',
    invalidBody: '无法识别此调查链接。请确认打开的是邮件中的完整链接。',
  },
  en: {
    items: {
      attitude: { label: 'Attitude', question: 'Was the technician courteous and patient?' },
      skill: { label: 'Skill', question: 'Was the problem handled competently and fixed properly?' },
      arrival: { label: 'Arrival time', question: 'Did the technician arrive at the agreed time?' },
      promise: { label: 'Keeping promises', question: 'Did the technician do what they promised?' },
    },
    levels: { 1: 'Very dissatisfied', 2: 'Dissatisfied', 3: 'Satisfied', 4: 'Very satisfied' },
    formTitle: 'Service satisfaction survey',
    intro: (p) =>
      `Thank you for choosing us. Please rate the service ${p.technicianName} provided on ${p.serviceDate} for case ${p.caseNumber}.`,
    caseNumber: 'Case number',
    technician: 'Technician',
    serviceDate: 'Service date',
    commentLabel: 'Suggestions or complaints (optional)',
    commentHint: `Up to ${SURVEY_COMMENT_MAX_LENGTH} characters.`,
    complaintLabel: 'This is a complaint',
    complaintHint: 'If ticked, a service supervisor will contact you and handle it personally.',
    submit: 'Submit',
    errorSummary: 'Please check the following:',
    errors: {
      required: 'Please choose a rating.',
      level: 'Please choose a rating from 1 to 4.',
      commentTooLong: `Please keep it to ${SURVEY_COMMENT_MAX_LENGTH} characters or fewer.`,
      complaint: 'Invalid choice.',
    },
    thanksTitle: 'Thank you for your feedback',
    thanksBody: (c) =>
      `We have received your rating for case ${c}. If you raised a complaint, our service department will contact you soon.`,
    alreadyTitle: 'This survey has already been answered',
    alreadyBody: (c, at) =>
      `The survey for case ${c} was answered${at ? ` on ${at}` : ''}. Each survey card can be answered once — thank you.`,
    expiredTitle: 'This survey link has expired',
    expiredBody: `Survey links are valid for ${SURVEY_TOKEN_TTL_DAYS} days. If you have feedback, please call our service hotline.`,
    invalidTitle: 'This link is not valid',
    invalidBody:
      'We could not recognise this survey link. Please check that you opened the whole link from the e-mail.',
  },
};

/** Name of a rated item in the given language (e.g. `到达时间`, `Arrival time`). */
export function surveyItemLabel(lang: SurveyLang, item: SurveyItem): string {
  return TEXTS[lang].items[item].label;
}

/** Name of a level in the given language (e.g. `很满意`, `Very satisfied`). */
export function surveyLevelLabel(lang: SurveyLang, level: SurveyLevel): string {
  return TEXTS[lang].levels[level];
}

/**
 * Formats a service date for people: `YYYY-MM-DD` becomes `2025年3月7日` or `March 7, 2025`;
 * anything else is returned unchanged (the caller may already have formatted it). Not escaped.
 */
export function formatServiceDate(lang: SurveyLang, date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [, y, m, d] = match.map(Number);
  const day = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  if (Number.isNaN(day.getTime()) || day.getUTCDate() !== d) return date;
  // UTC on both sides: a calendar date must not shift by a day in the renderer's time zone.
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(day);
}

/**
 * The survey form: four items × four levels as radio buttons, a comment box with a
 * "this is a complaint" tick, and a submit button, posted to `action`.
 *
 * Ids are stable for browser tests: radios `attitude-1` … `promise-4` (each with a `<label for>`),
 * `comment`, `complaint`, `submit`, and `<field>-error` for a field's error message.
 */
export function renderSurveyForm(input: {
  lang: SurveyLang;
  caseNumber: string;
  technicianName: string;
  /** `YYYY-MM-DD`, or already formatted for display. */
  serviceDate: string;
  /** URL the form posts to, normally the page's own URL with its token. */
  action: string;
  /** Messages by field name, as returned by {@link parseSurveyForm}. */
  errors?: Readonly<Record<string, string | undefined>>;
  values?: SurveyFormValues;
}): string {
  const { lang } = input;
  const t = TEXTS[lang];
  const errors = input.errors ?? {};
  const values = input.values ?? {};
  const caseNumber = escapeHtml(input.caseNumber);
  const technicianName = escapeHtml(input.technicianName);
  const serviceDate = escapeHtml(formatServiceDate(lang, input.serviceDate));

  const errorFields = (Object.keys(errors) as string[]).filter((field) => errors[field]);
  const summary =
    errorFields.length === 0
      ? ''
      : `<div class="errors" id="errors" role="alert"><p>${escapeHtml(t.errorSummary)}</p><ul>${errorFields
          .map((field) => {
            const target = isSurveyItem(field) ? `${field}-1` : field;
            const label = isSurveyItem(field)
              ? t.items[field].label
              : field === 'comment'
                ? t.commentLabel
                : field === 'complaint'
                  ? t.complaintLabel
                  : field;
            return `<li><a href="#${escapeHtml(target)}">${escapeHtml(label)}</a>: ${escapeHtml(errors[field] ?? '')}</li>`;
          })
          .join('')}</ul></div>`;

  const fieldsets = SURVEY_ITEMS.map((item) => {
    const error = errors[item];
    const selected = String(values[item] ?? '');
    const options = SURVEY_LEVELS.map((level) => {
      const id = `${item}-${level}`;
      const checked = selected === String(level) ? ' checked' : '';
      return `<div class="level"><input type="radio" id="${id}" name="${item}" value="${level}" required${checked}${
        error ? ` aria-describedby="${item}-error"` : ''
      }><label for="${id}">${level} · ${escapeHtml(t.levels[level])}</label></div>`;
    }).join('');
    return `<fieldset id="item-${item}"${error ? ' class="invalid"' : ''}><legend>${escapeHtml(t.items[item].label)}</legend><p class="hint">${escapeHtml(t.items[item].question)}</p>${
      error ? `<p class="error" id="${item}-error">${escapeHtml(error)}</p>` : ''
    }<div class="levels">${options}</div></fieldset>`;
  }).join('\n');

  const commentError = errors.comment;
  const complaintError = errors.complaint;
  const body = `<h1>${escapeHtml(t.formTitle)}</h1>
<p>${t.intro({ technicianName, serviceDate, caseNumber })}</p>
<dl class="case"><dt>${escapeHtml(t.caseNumber)}</dt><dd id="case-number">${caseNumber}</dd><dt>${escapeHtml(t.technician)}</dt><dd>${technicianName}</dd><dt>${escapeHtml(t.serviceDate)}</dt><dd>${serviceDate}</dd></dl>
${summary}
<form method="post" action="${escapeHtml(input.action)}" accept-charset="utf-8">
${fieldsets}
<fieldset id="item-comment"${commentError || complaintError ? ' class="invalid"' : ''}><legend><label for="comment">${escapeHtml(t.commentLabel)}</label></legend>${
    commentError ? `<p class="error" id="comment-error">${escapeHtml(commentError)}</p>` : ''
  }<textarea id="comment" name="comment" rows="5" maxlength="${SURVEY_COMMENT_MAX_LENGTH}" aria-describedby="comment-hint${
    commentError ? ' comment-error' : ''
  }">${escapeHtml(values.comment ?? '')}</textarea><p class="hint" id="comment-hint">${escapeHtml(t.commentHint)}</p>${
    complaintError ? `<p class="error" id="complaint-error">${escapeHtml(complaintError)}</p>` : ''
  }<div class="check"><input type="checkbox" id="complaint" name="complaint" value="yes"${
    values.complaint ? ' checked' : ''
  }><label for="complaint">${escapeHtml(t.complaintLabel)}</label></div><p class="hint">${escapeHtml(t.complaintHint)}</p></fieldset>
<button type="submit" id="submit">${escapeHtml(t.submit)}</button>
</form>`;
  return page(lang, t.formTitle, body);
}

/** Confirmation after an answer was recorded; contains `id="thanks"`. */
export function renderThanks(input: { lang: SurveyLang; caseNumber: string }): string {
  const t = TEXTS[input.lang];
  return page(
    input.lang,
    t.thanksTitle,
    `<section id="thanks"><h1>${escapeHtml(t.thanksTitle)}</h1><p>${t.thanksBody(escapeHtml(input.caseNumber))}</p></section>`,
  );
}

/**
 * Shown when the card was answered before (one answer per card); contains `id="already-answered"`.
 * `answeredAt` is shown in `timeZone` (default {@link DEFAULT_TIME_ZONE}).
 */
export function renderAlreadyAnswered(input: {
  lang: SurveyLang;
  caseNumber: string;
  answeredAt?: Date;
  timeZone?: string;
}): string {
  const t = TEXTS[input.lang];
  const answeredAt =
    input.answeredAt && !Number.isNaN(input.answeredAt.getTime())
      ? new Intl.DateTimeFormat(input.lang, {
          dateStyle: 'long',
          timeStyle: 'short',
          timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
        }).format(input.answeredAt)
      : undefined;
  return page(
    input.lang,
    t.alreadyTitle,
    `<section id="already-answered"><h1>${escapeHtml(t.alreadyTitle)}</h1><p>${t.alreadyBody(
      escapeHtml(input.caseNumber),
      answeredAt === undefined ? undefined : escapeHtml(answeredAt),
    )}</p></section>`,
  );
}

/** Shown for a genuine token past its expiry; contains `id="expired"`. */
export function renderExpired(input: { lang: SurveyLang }): string {
  const t = TEXTS[input.lang];
  return page(
    input.lang,
    t.expiredTitle,
    `<section id="expired"><h1>${escapeHtml(t.expiredTitle)}</h1><p>${escapeHtml(t.expiredBody)}</p></section>`,
  );
}

/**
 * Shown for a malformed or forged token, or an unknown card; contains `id="invalid"`.
 * It says no more than that, so probing tokens teaches nothing.
 */
export function renderInvalid(input: { lang: SurveyLang }): string {
  const t = TEXTS[input.lang];
  return page(
    input.lang,
    t.invalidTitle,
    `<section id="invalid"><h1>${escapeHtml(t.invalidTitle)}</h1><p>${escapeHtml(t.invalidBody)}</p></section>`,
  );
}

/**
 * Parses and validates a posted survey form (`application/x-www-form-urlencoded`).
 *
 * Every item is required and must be exactly one of `1`–`4`; the comment is optional, trimmed,
 * line breaks normalised to `\n`, and at most {@link SURVEY_COMMENT_MAX_LENGTH} characters;
 * `complaint` is `yes` or absent. Errors are keyed by field name, with messages in `lang`, and the
 * submitted values come back so the form can be shown again without losing what was typed.
 */
export function parseSurveyForm(body: string, lang: SurveyLang = DEFAULT_SURVEY_LANG): ParsedSurveyForm {
  const t = TEXTS[lang];
  const params = new URLSearchParams(body);
  const errors: Partial<Record<SurveyFormField, string>> = {};
  const values: SurveyFormValues = {};
  const answers: Partial<SurveyAnswers> = {};

  for (const item of SURVEY_ITEMS) {
    const given = params.getAll(item);
    const first = given[0];
    if (first !== undefined) values[item] = first;
    if (first === undefined || first === '') {
      errors[item] = t.errors.required;
    } else if (given.some((v) => v !== first) || !/^[1-4]$/.test(first)) {
      // Two different ratings for one item is not a browser's doing; refuse rather than pick one.
      errors[item] = t.errors.level;
    } else {
      answers[item] = Number(first) as SurveyLevel;
    }
  }

  const comment = normaliseComment(params.get('comment') ?? '');
  values.comment = comment;
  if (codePointLength(comment) > SURVEY_COMMENT_MAX_LENGTH) errors.comment = t.errors.commentTooLong;

  const complaintValue = params.get('complaint');
  const complaint = complaintValue === 'yes';
  values.complaint = complaint;
  if (complaintValue !== null && !complaint) errors.complaint = t.errors.complaint;

  if (Object.keys(errors).length > 0 || !isComplete(answers)) return { ok: false, errors, values };
  return { ok: true, answers, comment, complaint };
}

function isComplete(answers: Partial<SurveyAnswers>): answers is SurveyAnswers {
  return SURVEY_ITEMS.every((item) => answers[item] !== undefined);
}

function isSurveyItem(value: string): value is SurveyItem {
  return (SURVEY_ITEMS as readonly string[]).includes(value);
}

/**
 * Browsers submit textarea line breaks as CRLF while `maxlength` counts them once, so CRLF is
 * folded to LF before measuring. Other control characters carry no meaning in a comment and
 * would only trouble the e-mails and exports it ends up in.
 */
function normaliseComment(value: string): string {
  return (
    value
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .trim()
  );
}

function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}

const STYLE = `*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:#1f2328;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif}
main{max-width:640px;margin:0 auto;padding:16px}
h1{font-size:1.35rem;margin:8px 0 12px}
.case{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;background:#fff;border-radius:8px;padding:12px;margin:0 0 16px}
.case dt{color:#57606a}.case dd{margin:0;word-break:break-word}
fieldset{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:0 0 12px;padding:12px}
fieldset.invalid{border-color:#cf222e}
legend{font-weight:600;padding:0 4px}
.hint{color:#57606a;font-size:.9rem;margin:4px 0 8px}
.error{color:#cf222e;font-weight:600;margin:4px 0 8px}
.errors{background:#ffebe9;border:1px solid #cf222e;border-radius:8px;padding:8px 12px;margin:0 0 12px}
.errors a{color:#cf222e}
.levels{display:grid;grid-template-columns:1fr;gap:6px}
@media (min-width:560px){.levels{grid-template-columns:repeat(4,1fr)}}
.level,.check{display:flex;align-items:center;gap:8px;border:1px solid #d0d7de;border-radius:8px;padding:0 10px}
.level label,.check label{flex:1;padding:10px 0;cursor:pointer}
input[type=radio],input[type=checkbox]{width:20px;height:20px;margin:0;accent-color:#0969da}
textarea{width:100%;font:inherit;padding:8px;border:1px solid #d0d7de;border-radius:8px;resize:vertical}
button{width:100%;font:inherit;font-weight:600;color:#fff;background:#0969da;border:0;border-radius:8px;padding:14px;cursor:pointer}
section{background:#fff;border-radius:8px;padding:16px}`;

function page(lang: SurveyLang, title: string, body: string): string {
  // no-referrer: the token is in the URL and must not leak to any site the customer goes on to.
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
