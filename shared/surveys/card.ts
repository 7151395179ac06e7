/**
 * The survey card e-mail sent the day after service (000 (二十四)): subject, plain text and HTML.
 *
 * The customer can answer in two ways: open the survey page, or reply to the e-mail with four
 * digits 1–4 (attitude, skill, arrival time, keeping promises), optionally followed by comments.
 * The HTML is table-based with inline styles and no external assets, because that is what mail
 * clients render reliably and remote images would be blocked or would track the reader.
 */
import { escapeHtml, formatServiceDate, type SurveyLang, surveyItemLabel, surveyLevelLabel } from './page.ts';
import { SURVEY_ITEMS, SURVEY_LEVELS, type SurveyLevel } from './score.ts';
import { SURVEY_TOKEN_TTL_DAYS } from './token.ts';

export interface SurveyCardInput {
  lang: SurveyLang;
  /** Shown in the greeting; a blank name falls back to a generic greeting. */
  customerName: string;
  caseNumber: string;
  technicianName: string;
  /** `YYYY-MM-DD`, or already formatted for display. */
  serviceDate: string;
  /** The survey page, with its signed token. Must be http(s). */
  surveyUrl: string;
  /**
   * Builds a link that opens the survey with every item preset to `level`. Only level 4 is
   * offered, as a one-click "all very satisfied". The page it opens must still ask for a
   * confirming submit: mail security scanners open every link in a message, so an answer must
   * never be recorded on a GET.
   */
  quickAnswerUrl?: (level: SurveyLevel) => string;
}

export interface SurveyCard {
  subject: string;
  text: string;
  html: string;
}

interface CardTexts {
  subject: (caseNumber: string) => string;
  greeting: (name: string) => string;
  greetingAnonymous: string;
  intro: (p: { technicianName: string; serviceDate: string; caseNumber: string }) => string;
  caseNumber: string;
  technician: string;
  serviceDate: string;
  wayLink: string;
  button: string;
  quick: string;
  quickHint: string;
  wayReply: string;
  scale: string;
  example: string;
  comments: string;
  validity: string;
  signature: string;
}

// Interpolated parameters arrive already escaped for HTML, or raw for plain text.
const TEXTS: Record<SurveyLang, CardTexts> = {
  'zh-CN': {
    subject: (c) => `请评价我们的服务（服务案件 ${c}）`,
    greeting: (n) => `${n}，您好：`,
    greetingAnonymous: '尊敬的客户，您好：',
    intro: (p) =>
      `感谢您选择我们的服务。技术员 ${p.technicianName} 于 ${p.serviceDate} 为您处理了服务案件 ${p.caseNumber}。为了不断改进服务，请您花一分钟对本次服务进行评价。`,
    caseNumber: '案件编号',
    technician: '技术员',
    serviceDate: '服务日期',
    wayLink: '方式一：打开调查页面填写：',
    button: '填写满意度调查',
    quick: '各项都很满意',
    quickHint: '如对各项都很满意，点击下方按钮并确认提交即可：',
    wayReply: '方式二：直接回复本邮件，按顺序写下 4 个数字（1–4），分别对应：',
    scale: '评分：',
    example: '例如：4 4 4 4',
    comments: '数字之后可以另起一行写下您的建议或抱怨。',
    validity: `调查链接 ${SURVEY_TOKEN_TTL_DAYS} 天内有效，每张调查卡只能回答一次。`,
    signature: '客户服务部',
  },
  en: {
    subject: (c) => `How was our service? (case ${c})`,
    greeting: (n) => `Dear ${n},`,
    greetingAnonymous: 'Dear customer,',
    intro: (p) =>
      `Thank you for choosing us. ${p.technicianName} handled your service case ${p.caseNumber} on ${p.serviceDate}. Please take a minute to tell us how we did, so we can keep improving.`,
    caseNumber: 'Case number',
    technician: 'Technician',
    serviceDate: 'Service date',
    wayLink: 'Either open the survey page:',
    button: 'Rate our service',
    quick: 'All very satisfied',
    quickHint: 'Very satisfied with everything? Use the button below and confirm:',
    wayReply: 'Or simply reply to this e-mail with four digits from 1 to 4, in this order:',
    scale: 'Scale: ',
    example: 'For example: 4 4 4 4',
    comments: 'You may add suggestions or complaints on the lines after the digits.',
    validity: `The survey link is valid for ${SURVEY_TOKEN_TTL_DAYS} days; each survey card can be answered once.`,
    signature: 'Customer Service',
  },
};

/**
 * Renders the survey card e-mail in the customer's language.
 *
 * Every interpolated value is HTML-escaped in `html`; the subject has line breaks and other
 * control characters removed, as it becomes a mail header.
 *
 * @throws TypeError when `surveyUrl` or the quick-answer URL is not an http(s) URL, so that a
 *   `javascript:` or malformed link can never be mailed.
 */
export function renderSurveyCard(input: SurveyCardInput): SurveyCard {
  const { lang } = input;
  const t = TEXTS[lang];
  const surveyUrl = httpUrl(input.surveyUrl, 'surveyUrl');
  const quickUrl = input.quickAnswerUrl ? httpUrl(input.quickAnswerUrl(4), 'quickAnswerUrl') : undefined;
  const name = input.customerName.trim();
  const serviceDate = formatServiceDate(lang, input.serviceDate);
  const scale = SURVEY_LEVELS.map((level) => `${level} = ${surveyLevelLabel(lang, level)}`).join(
    lang === 'zh-CN' ? '，' : ', ',
  );

  const subject = t.subject(oneLine(input.caseNumber));

  const text = [
    name ? t.greeting(name) : t.greetingAnonymous,
    '',
    t.intro({ technicianName: input.technicianName, serviceDate, caseNumber: input.caseNumber }),
    '',
    t.wayLink,
    surveyUrl,
    '',
    ...(quickUrl ? [t.quickHint, quickUrl, ''] : []),
    t.wayReply,
    ...SURVEY_ITEMS.map((item, i) => `  ${i + 1}. ${surveyItemLabel(lang, item)}`),
    `${t.scale}${scale}`,
    t.example,
    t.comments,
    '',
    t.validity,
    '',
    t.signature,
    '',
  ].join('\n');

  const font =
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif";
  const p = (content: string, extra = '') => `<p style="margin:0 0 16px;${extra}">${content}</p>`;
  const detail = (label: string, value: string) =>
    `<tr><td style="padding:4px 16px 4px 0;color:#57606a;white-space:nowrap;">${escapeHtml(label)}</td><td style="padding:4px 0;">${escapeHtml(value)}</td></tr>`;
  const button = (href: string, label: string, id: string, colour: string) =>
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;"><tr><td style="border-radius:6px;background:${colour};"><a id="${id}" href="${escapeHtml(href)}" style="display:inline-block;padding:12px 24px;color:#ffffff;text-decoration:none;font-weight:bold;border-radius:6px;">${escapeHtml(label)}</a></td></tr></table>`;

  const html = `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f6f8;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f6f8;">
<tr><td align="center" style="padding:16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border-radius:8px;color:#1f2328;font-size:16px;line-height:1.5;${font};">
<tr><td style="padding:24px;">
${p(escapeHtml(name ? t.greeting(name) : t.greetingAnonymous))}
${p(escapeHtml(t.intro({ technicianName: input.technicianName, serviceDate, caseNumber: input.caseNumber })))}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;font-size:14px;">
${detail(t.caseNumber, input.caseNumber)}
${detail(t.technician, input.technicianName)}
${detail(t.serviceDate, serviceDate)}
</table>
${p(escapeHtml(t.wayLink))}
${button(surveyUrl, t.button, 'survey-link', '#0969da')}
${quickUrl ? `${p(escapeHtml(t.quickHint))}\n${button(quickUrl, t.quick, 'quick-answer', '#1a7f37')}` : ''}
${p(escapeHtml(t.wayReply), 'margin-bottom:8px;')}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px;">
${SURVEY_ITEMS.map((item, i) => `<tr><td style="padding:2px 12px 2px 0;font-weight:bold;">${i + 1}.</td><td style="padding:2px 0;">${escapeHtml(surveyItemLabel(lang, item))}</td></tr>`).join('\n')}
</table>
${p(escapeHtml(`${t.scale}${scale}`), 'margin-bottom:8px;')}
${p(escapeHtml(t.example), 'margin-bottom:8px;font-family:Menlo,Consolas,monospace;')}
${p(escapeHtml(t.comments))}
${p(escapeHtml(t.validity), 'color:#57606a;font-size:14px;')}
${p(escapeHtml(t.signature), 'margin:0;')}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;

  return { subject, text, html };
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${what} must be an absolute http(s) URL`);
  }
  return value;
}

/** Mail headers must stay on one line: drop control characters (CR/LF above all). */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
}
