/**
 * Reads a customer's e-mail reply to a survey card (SPEC section 7): which card it answers (the
 * token in the plus-addressed `survey+<token>@domain` recipient), the four ratings, and the
 * customer's own free text.
 *
 * Forgiving about how ratings are written (digits, item names, level words, English or Chinese,
 * full-width characters), strict about what counts as the customer's own text: a quoted copy of the
 * card contains example digits, item names and level words that must never be read as answers.
 * Whatever cannot be read with confidence is flagged for staff to follow up, never guessed.
 *
 * The parser does not escape anything: the comment is plain text, and whoever renders it escapes it.
 */

import PostalMime, { type Address, addressParser, type Email } from 'postal-mime';
import { SURVEY_ITEMS, type SurveyAnswers, type SurveyItem, type SurveyLevel } from './score.ts';

/** Ratings read from a reply: any subset of the four items. */
export type SurveyReplyAnswers = Partial<SurveyAnswers>;

/** What a survey reply e-mail says. */
export interface SurveyReply {
  /** The card token from a `survey+<token>@…` recipient, lowercased; null when none (or several). */
  token: string | null;
  /** The sender's address, as given in `From`. */
  from: string | null;
  /** The `Message-ID`, angle brackets included, for de-duplicating redelivered mail. */
  messageId: string | null;
  answers: SurveyReplyAnswers;
  /** True when all four items were read. */
  complete: boolean;
  /** The rest of the customer's own text (quotes, signature and answer lines removed), trimmed. */
  comment: string;
  /** True when staff must follow up: no token, nothing or only part read, or values that made no sense. */
  flagged: boolean;
  /** Why the reply is flagged, in words for staff; set only when `flagged`. */
  flagReason?: string;
}

/** Result of {@link parseAnswerText}. */
export interface AnswerText {
  answers: SurveyReplyAnswers;
  /** The text minus the lines that held nothing but answers, trimmed. */
  comment: string;
  /** The lines that were read as nothing but answers (removed from `comment`). */
  answerLines: string[];
  /** Things that looked like answers but could not be taken (out of range, contradicting). */
  problems: string[];
}

// Bounds the work one message can cause. Real replies are a few kilobytes; the answers and the
// customer's text come first, so cutting the tail only loses quoted history.
const MAX_BODY_CHARS = 500_000;
// HTML-only replies are converted by our own linear scan, up to this size.
const MAX_HTML_FALLBACK_CHARS = 10_000_000;
// An answer line is short; longer lines are prose and are not matched at all, which also keeps the
// regular expressions below cheap.
const MAX_ANSWER_LINE_CHARS = 300;
// The comment is stored with the survey answer; an item must stay far below DynamoDB's 400 KB.
const MAX_COMMENT_CHARS = 10_000;

/** Attachments are never read: keep them as raw bytes rather than decoding them to strings. */
const PARSER_OPTIONS = { attachmentEncoding: 'arraybuffer', maxNestingDepth: 50 } as const;

/* ------------------------------------------------------------------------------------------------
 * Whole message
 * ---------------------------------------------------------------------------------------------- */

/**
 * Parses a raw survey reply e-mail (RFC 5322 / MIME).
 *
 * Never throws: input that is not an e-mail at all yields `flagged: true`, no answers and whatever
 * printable text could be recovered as the comment.
 *
 * @param raw The message exactly as received, headers included.
 */
export async function parseSurveyReply(raw: Buffer | string): Promise<SurveyReply> {
  // Callers outside the type system (a queue payload, a test) may hand over anything.
  const source: Buffer | string = typeof raw === 'string' || Buffer.isBuffer(raw) ? raw : '';
  let mail: Email;
  try {
    mail = await PostalMime.parse(source, PARSER_OPTIONS);
  } catch {
    return unreadable(source);
  }
  try {
    return readReply(mail, source);
  } catch {
    // Nothing below is expected to throw; if hostile input finds a way, staff still get the message.
    return unreadable(source);
  }
}

function readReply(mail: Email, source: Buffer | string): SurveyReply {
  let body = typeof mail.text === 'string' ? mail.text : '';
  if (body.trim() === '' && typeof mail.html === 'string' && mail.html.trim() !== '') {
    // An HTML-only reply: our own linear conversion, bounded, whatever the markup.
    body = htmlToPlainText(mail.html);
  }
  if (body.trim() === '' && !looksLikeMail(mail)) return unreadable(source);

  const reasons: string[] = [...scanVerdicts(mail)];
  const recipient = findSurveyToken(mail);
  if (recipient.problem) reasons.push(recipient.problem);

  const own = stripQuotedText(cleanText(body.slice(0, MAX_BODY_CHARS)));
  const parsed = parseAnswerText(own);
  reasons.push(...parsed.problems);

  const missing = SURVEY_ITEMS.filter((item) => parsed.answers[item] === undefined);
  if (missing.length === SURVEY_ITEMS.length) reasons.push('no answers could be read');
  else if (missing.length > 0) {
    reasons.push(
      `only ${SURVEY_ITEMS.length - missing.length} of ${SURVEY_ITEMS.length} items could be read (missing: ${missing.join(', ')})`,
    );
  }

  let comment = parsed.comment;
  if (comment.length > MAX_COMMENT_CHARS) {
    comment = `${comment.slice(0, MAX_COMMENT_CHARS).trimEnd()}…`;
    reasons.push(`comment cut to ${MAX_COMMENT_CHARS} characters; read the original message`);
  }

  return {
    token: recipient.token,
    from: firstAddress(mail.from),
    messageId: mail.messageId ?? null,
    answers: parsed.answers,
    complete: missing.length === 0,
    comment,
    ...flag(reasons),
  };
}

function flag(reasons: string[]): { flagged: boolean; flagReason?: string } {
  return reasons.length > 0 ? { flagged: true, flagReason: reasons.join('; ') } : { flagged: false };
}

function unreadable(source: Buffer | string): SurveyReply {
  return {
    token: null,
    from: null,
    messageId: null,
    answers: {},
    complete: false,
    comment: recoverText(source),
    flagged: true,
    flagReason: 'the message could not be read as an e-mail',
  };
}

/**
 * SES receiving scans each message (receipt rule `scanEnabled`) and writes its verdicts into the stored
 * copy as `X-SES-Spam-Verdict` and `X-SES-Virus-Verdict`. Anything but PASS is flagged for a person, with
 * the verdict, never recorded as an answer; a message without the headers (not received through SES, as
 * locally) is read as usual.
 */
const SCAN_VERDICT_HEADERS = { 'x-ses-spam-verdict': 'spam', 'x-ses-virus-verdict': 'virus' } as const;

function scanVerdicts(mail: Email): string[] {
  const reasons: string[] = [];
  for (const [header, what] of Object.entries(SCAN_VERDICT_HEADERS)) {
    const value = mail.headers.find((h) => h.key === header)?.value;
    if (value === undefined) continue;
    const verdict = value.trim().toUpperCase();
    if (verdict !== 'PASS')
      reasons.push(`SES ${what} scan verdict ${verdict || 'missing'}: check the message before trusting it`);
  }
  return reasons;
}

// Header names whose presence shows that the parser found a real header section, rather than
// taking arbitrary bytes for one.
const MAIL_HEADERS = ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'mime-version', 'content-type'];

function looksLikeMail(mail: Email): boolean {
  return mail.headers.some((h) => MAIL_HEADERS.includes(h.key));
}

/**
 * Printable runs of at least four characters holding a word, like `strings(1)`: what a human could
 * still use. The word test keeps most of the punctuation soup that random bytes decode to out.
 */
function recoverText(source: Buffer | string): string {
  const text = (typeof source === 'string' ? source : source.toString('utf8')).slice(0, MAX_BODY_CHARS);
  const runs = text.match(/[^\p{C}\uFFFD]{4,}/gu) ?? [];
  const recovered = runs
    .map((run) => run.trim())
    .filter((run) => /[\p{L}\p{N}]{3}/u.test(run))
    .join('\n');
  return recovered.length > MAX_COMMENT_CHARS ? `${recovered.slice(0, MAX_COMMENT_CHARS)}…` : recovered;
}

/* ------------------------------------------------------------------------------------------------
 * Token and sender
 * ---------------------------------------------------------------------------------------------- */

// Where the card's reply-to address can show up: the customer's client copies it into To (or Cc on
// reply-all); aliasing or forwarding by the customer's provider can leave it only in the envelope
// headers the receiving server adds.
const RECIPIENT_HEADERS = ['to', 'cc', 'delivered-to', 'x-original-to'] as const;
// Token alphabet and length as issued (see token.ts); case-insensitive because some mail systems
// change the case of addresses, which the token alphabet is designed to survive.
const SURVEY_LOCAL_PART = /^survey\+([a-z0-9.]{1,57})$/i;
const SURVEY_PREFIX = /^survey\+/i;

function findSurveyToken(mail: Email): { token: string | null; problem?: string } {
  const tokens = new Set<string>();
  let malformed = false;
  for (const name of RECIPIENT_HEADERS) {
    for (const address of headerAddresses(mail, name)) {
      const at = address.lastIndexOf('@');
      if (at <= 0) continue;
      const local = address.slice(0, at);
      const match = SURVEY_LOCAL_PART.exec(local);
      if (match?.[1]) tokens.add(match[1].toLowerCase());
      else if (SURVEY_PREFIX.test(local)) malformed = true;
    }
  }
  const [token, ...others] = tokens;
  if (token !== undefined && others.length === 0) return { token };
  if (token !== undefined) {
    // Two cards in one reply: attributing the answers to either could misrate a technician.
    return { token: null, problem: `several different survey tokens among the recipients (${tokens.size})` };
  }
  return {
    token: null,
    problem: malformed
      ? 'the survey+ recipient address has a malformed token'
      : 'no survey+<token> recipient address, so the survey card is unknown',
  };
}

/** Every mailbox address in the headers called `name`, groups flattened. */
function headerAddresses(mail: Email, name: string): string[] {
  const out: string[] = [];
  for (const header of mail.headers) {
    if (header.key === name) collectAddresses(addressParser(header.value), out);
  }
  return out;
}

function collectAddresses(entries: readonly Address[], out: string[]): void {
  for (const entry of entries) {
    if (entry.address) out.push(entry.address.trim());
    if (entry.group) collectAddresses(entry.group, out);
  }
}

function firstAddress(address: Address | undefined): string | null {
  if (!address) return null;
  const addresses: string[] = [];
  collectAddresses([address], addresses);
  return addresses.find((a) => a !== '') ?? null;
}

/* ------------------------------------------------------------------------------------------------
 * Body text: cleaning, HTML fallback, quote stripping
 * ---------------------------------------------------------------------------------------------- */

// Invisible characters that break matching ("4\u200B4") and carry nothing for a reader.
const INVISIBLE = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0xfffd]);

/** Unifies line ends and drops control characters (except tab and newline) and invisible ones. */
function cleanText(text: string): string {
  const unified = text.replace(/\r\n?/g, '\n');
  const kept: string[] = [];
  for (const char of unified) {
    const code = char.codePointAt(0) ?? 0;
    const control = (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f);
    if (!control && !INVISIBLE.has(code)) kept.push(char);
  }
  return kept.join('');
}

/** Lowercase, NFKC (full-width digits and punctuation become ASCII), single spaces, trimmed. */
function normalizeLine(line: string): string {
  return line.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function isQuoted(line: string): boolean {
  return line.trimStart().startsWith('>');
}

const FORWARD_MARKERS = [
  /^-{2,} ?forwarded message ?-{2,}$/,
  /^begin forwarded message ?:$/,
  /^-{2,} ?(?:转发的?邮件(?:信息)?|轉寄郵件) ?-{2,}$/,
];
const ORIGINAL_MARKERS = [
  /^-{2,} ?original message ?-{2,}$/,
  /^-{2,} ?原始邮件 ?-{2,}$/,
  // Outlook's separator line above the quoted header block.
  /^_{10,}$/,
  // Chinese clients (Foxmail, QQ Mail, Outlook zh-CN) head the original with 发件人:.
  /^\*?(?:发件人|發件人|寄件者) ?\*? ?:/,
];
const FROM_HEADER = /^\*?from ?\*? ?: ?\S/;
const NEXT_HEADER = /^\*?(?:sent|date|to|cc|subject) ?\*? ?:/;
const ATTRIBUTION_END = /(?:\bwrote|写道|寫道) ?:$/;
const ATTRIBUTION_START = /^(?:on |在)/;
const SIGNATURE = /^-- ?$/;
const MOBILE_SIGNATURE =
  /^(?:sent from my .{1,40}|sent from .{1,40} for (?:ios|android)|get outlook for (?:ios|android)|发自我的.{1,20}|来自我的.{1,20}|从我的.{1,20}发送)$/;

type MarkerKind = 'attribution' | 'forward' | 'original';

interface Marker {
  kind: MarkerKind;
  /** First line of the marker. */
  start: number;
  /** First line after the marker. */
  end: number;
}

/**
 * The customer's own text of a reply: everything above the first quoted-original marker, without
 * `>` lines and without a signature after `-- `.
 *
 * Markers: `On … wrote:` (also wrapped over several lines), `在 … 写道：`,
 * `-----Original Message-----`, Outlook's underscore line, `发件人:`, `-----原始邮件-----`, a `From:`
 * header block, and `---------- Forwarded message ----------`. When nothing of the customer's own
 * is above an `On … wrote:` or a forward marker, the text below it is read the same way (bottom
 * posting; a forwarded earlier reply), skipping the forwarded header block, so that the original
 * card quoted further down is still left out. Below the other markers the original is not quoted
 * with `>`, so nothing there can be told apart from the card and nothing is read.
 */
export function stripQuotedText(text: string): string {
  return ownText(text.replace(/\r\n?/g, '\n').split('\n'), 0);
}

function ownText(lines: string[], depth: number): string {
  const marker = findMarker(lines);
  const own = ownLines(marker ? lines.slice(0, marker.start) : lines);
  // Depth guards against a pathological chain of forwards inside forwards.
  if (own !== '' || !marker || marker.kind === 'original' || depth >= 3) return own;
  const below = lines.slice(marker.end);
  return ownText(marker.kind === 'forward' ? skipHeaderBlock(below) : below, depth + 1);
}

function findMarker(lines: string[]): Marker | undefined {
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (isQuoted(raw)) continue;
    const line = normalizeLine(raw);
    if (line === '') continue;
    if (FORWARD_MARKERS.some((re) => re.test(line))) return { kind: 'forward', start: i, end: i + 1 };
    if (ORIGINAL_MARKERS.some((re) => re.test(line))) return { kind: 'original', start: i, end: i + 1 };
    if (FROM_HEADER.test(line) && startsHeaderBlock(lines, i))
      return { kind: 'original', start: i, end: i + 1 };
    if (ATTRIBUTION_END.test(line)) {
      const start = attributionStart(lines, i);
      if (start !== undefined) return { kind: 'attribution', start, end: i + 1 };
    }
  }
  return undefined;
}

/** A `From:` line only opens a quoted original when more header lines follow right after it. */
function startsHeaderBlock(lines: string[], from: number): boolean {
  for (let i = from + 1; i < Math.min(lines.length, from + 4); i++) {
    const line = normalizeLine(lines[i] ?? '');
    if (line === '') return false;
    if (NEXT_HEADER.test(line)) return true;
  }
  return false;
}

/**
 * Where an attribution ending on line `end` begins. Clients wrap long attributions ("On Mon, 3 Nov
 * 2025 at 09:00, Customer Service <survey+…>\nwrote:"), so up to two lines above are joined. A
 * line merely ending in "wrote:" is the customer's prose unless it starts like an attribution or
 * carries an address or a year.
 */
function attributionStart(lines: string[], end: number): number | undefined {
  let joined = '';
  for (let start = end; start >= Math.max(0, end - 2); start--) {
    const raw = lines[start] ?? '';
    if (start < end && (raw.trim() === '' || isQuoted(raw))) break;
    joined = `${normalizeLine(raw)} ${joined}`;
    if (ATTRIBUTION_START.test(normalizeLine(raw))) return start;
  }
  return /@|\d{4}/.test(joined) ? end : undefined;
}

function skipHeaderBlock(lines: string[]): string[] {
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  if (!/^\*?(?:from|发件人|發件人|寄件者) ?\*? ?:/.test(normalizeLine(lines[i] ?? ''))) return lines;
  while (i < lines.length && (lines[i] ?? '').trim() !== '') i++;
  return lines.slice(i);
}

function ownLines(lines: string[]): string {
  const kept: string[] = [];
  for (const line of lines) {
    if (SIGNATURE.test(line.trimEnd())) break;
    if (!isQuoted(line)) kept.push(line.trimEnd());
  }
  // "Sent from my iPhone" is the device talking, not the customer.
  while (kept.length > 0 && (kept.at(-1) ?? '').trim() === '') kept.pop();
  if (kept.length > 0 && MOBILE_SIGNATURE.test(normalizeLine(kept.at(-1) ?? ''))) kept.pop();
  return tidy(kept);
}

/** Joins lines, collapsing runs of blank lines into one, and trims. */
function tidy(lines: string[]): string {
  return lines
    .join('\n')
    .replace(/\n[ \t]*(?:\n[ \t]*){2,}/g, '\n\n')
    .trim();
}

const BLOCK_TAGS = new Set([
  'address',
  'article',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);
// Their content is never text a reader saw.
const SKIPPED_TAGS = new Set(['head', 'noscript', 'script', 'style', 'template', 'title']);
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  apos: "'",
  gt: '>',
  lt: '<',
  nbsp: '\u00a0',
  quot: '"',
};

/**
 * Plain text of an HTML body, for replies without a text part. A single linear scan (no
 * backtracking regular expressions over the whole document, which may be huge or hostile):
 * block elements become line breaks, `<blockquote>` content is prefixed with `> ` so that quote
 * stripping treats it like a quoted original, script and style content is dropped, and the
 * common entities are decoded.
 */
export function htmlToPlainText(html: string): string {
  const input = html.slice(0, MAX_HTML_FALLBACK_CHARS);
  const lines: string[] = [];
  let current = '';
  let quoteDepth = 0;
  let lineQuoted = false;
  // Tracked rather than tested on `current`, which would make every append cost the line's length.
  let lineHasText = false;
  // A block boundary ends a line that has text; <br> ends one even when empty (a blank line).
  const flush = (force: boolean): void => {
    const text = current.replace(/[ \t]+/g, ' ').trim();
    if (text !== '' || force) lines.push(lineQuoted && text !== '' ? `> ${text}` : text);
    current = '';
    lineQuoted = false;
    lineHasText = false;
  };
  const append = (text: string): void => {
    const collapsed = text.replace(/\s+/g, ' ');
    if (collapsed === ' ' || collapsed === '') {
      if (lineHasText) current += collapsed;
      return;
    }
    if (!lineHasText) {
      lineQuoted = quoteDepth > 0;
      lineHasText = true;
    }
    current += decodeEntities(collapsed);
  };

  let i = 0;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt === -1) {
      append(input.slice(i));
      break;
    }
    append(input.slice(i, lt));
    if (input.startsWith('<!--', lt)) {
      const close = input.indexOf('-->', lt + 4);
      i = close === -1 ? input.length : close + 3;
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9]*)/.exec(input.slice(lt, lt + 40));
    if (!tag) {
      // A lone "<" ("4 < 5") is text.
      append('<');
      i = lt + 1;
      continue;
    }
    const gt = input.indexOf('>', lt + 1);
    // An unterminated tag runs to the end of the input: nothing after it is text.
    if (gt === -1) break;
    i = gt + 1;
    const closing = tag[1] === '/';
    const name = (tag[2] ?? '').toLowerCase();
    if (!closing && SKIPPED_TAGS.has(name)) {
      const end = new RegExp(`</${name}\\s*>`, 'gi');
      end.lastIndex = i;
      const found = end.exec(input);
      i = found ? found.index + found[0].length : input.length;
      continue;
    }
    if (BLOCK_TAGS.has(name)) flush(name === 'br');
    if (name === 'blockquote') quoteDepth = Math.max(0, quoteDepth + (closing ? -1 : 1));
  }
  flush(false);
  return tidy(lines);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/* ------------------------------------------------------------------------------------------------
 * Answers
 * ---------------------------------------------------------------------------------------------- */

// Names customers use for the items, English and Chinese (the card's own labels included).
// Matched on NFKC-lowercased text, longest first so that 服务态度 wins over 态度.
const ITEM_NAMES: Readonly<Record<SurveyItem, readonly string[]>> = {
  attitude: ['service attitude', 'attitude', '服务态度', '态度'],
  skill: [
    'technical skills',
    'technical skill',
    'technical level',
    'skills',
    'skill',
    '技术水平',
    '技能',
    '技术',
  ],
  arrival: [
    'arrival time',
    'arrival',
    'punctuality',
    'timeliness',
    'on time',
    '到达时间',
    '到达',
    '准时',
    '及时',
  ],
  promise: [
    'keeping promises',
    'keeping promise',
    'promise keeping',
    'promises',
    'promise',
    '信守承诺',
    '承诺兑现',
    '兑现承诺',
    '守信',
    '承诺',
  ],
};

// Longest first matters: 不满意 contains 满意, 非常不满意 contains 不满意, "dissatisfied"
// contains "satisfied". The card's own words (很满意, 很不满意) are included.
const LEVEL_WORDS: ReadonlyArray<readonly [string, SurveyLevel]> = [
  ['very dissatisfied', 1],
  ['very unsatisfied', 1],
  ['very satisfied', 4],
  ['not satisfied', 2],
  ['dissatisfied', 2],
  ['unsatisfied', 2],
  ['satisfied', 3],
  ['非常不满意', 1],
  ['很不满意', 1],
  ['非常满意', 4],
  ['很满意', 4],
  ['不满意', 2],
  ['满意', 3],
];

const ITEM_BY_NAME = new Map<string, SurveyItem>(
  SURVEY_ITEMS.flatMap((item) => ITEM_NAMES[item].map((name) => [name, item] as const)),
);
const LEVEL_BY_WORD = new Map<string, SurveyLevel>(LEVEL_WORDS);

function alternation(words: Iterable<string>): string {
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map((word) => {
      const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // Latin words need boundaries ("promise" in "compromise"); CJK has no spaces to bound by.
      return /^[a-z]/.test(word) ? `(?<![a-z])${escaped}(?![a-z])` : escaped;
    })
    .join('|');
}

const ITEM_ALTERNATION = alternation(ITEM_BY_NAME.keys());
const ANY_ITEM = new RegExp(ITEM_ALTERNATION, 'gu');
// item, optional separator, then a number or a level word. After a number comes the end of the
// line, punctuation or the next item: "arrival 2 hours late" and "arrival 9:30" are times, and
// "Attitude: 1 2 3 4" (a scale copied from the card) is not one answer.
const ITEM_LEVEL = new RegExp(
  `(?<item>${ITEM_ALTERNATION}) ?(?:[:=~\\-–—]|is|是|为)? ?(?:(?<number>\\d+(?:\\.\\d+)?)(?: ?(?:分|星|points?|stars?)(?![a-z]))?(?! ?[-–~,/、;:.] ?\\d)(?=$| ?[^\\p{L}\\p{N}\\s]| ?(?:${ITEM_ALTERNATION}))|(?<word>${alternation(LEVEL_BY_WORD.keys())}))`,
  'gu',
);
// Four single digits in card order, at the start of a line. A short leading label is allowed, but
// not "For example:", which is how the card itself shows the form. Text may follow ("4 4 3 4 -
// very quick"), but not a fifth number.
const SEPARATOR = '(?: ?[,/、;] ?| )';
const POSITIONAL = new RegExp(
  `^(?:(?:scores?|ratings?|answers?|评分|打分|分数|答案|回答) ?[:=]? ?)?(\\d)${SEPARATOR}(\\d)${SEPARATOR}(\\d)${SEPARATOR}(\\d)(?! ?[,/、;]? ?\\d)(?<rest>(?:[ .。!,;:\\-–—(].*)?)$`,
  'u',
);
// "4434" alone on a line. Only digits 1-4: any other four-digit line (a year, a house number) is
// not taken for an attempt at answering.
const BARE_DIGITS = /^([1-4])([1-4])([1-4])([1-4])[.。!]?$/;
const LIST_MARKER = /^(?:[-*•·]|\d{1,2}[.)、]) ?(?=\p{L})/u;
const FILLER = /(?<![a-z])(?:and|then)(?![a-z])|和|以及/gu;

/**
 * Reads survey answers from the customer's own text (quotes already removed).
 *
 * Forms, one answer set per line or one item per line, in any mix:
 * - four digits 1–4 in card order (attitude, skill, arrival, promise), separated by spaces, commas
 *   or slashes (`4 4 3 4`, `4,4,3,4`, `4/4/3/4`), or as one bare token `4434`;
 * - an item name with a level, English or Chinese (`attitude: 4`, `Skill 3`, `arrival time - 2`,
 *   `keeping promises = 4`, `服务态度：4`, `技术水平 3`), several per line allowed
 *   (`attitude 4, skill 3`), the level also as words (`very satisfied`, `到达时间：满意`,
 *   `守信：非常满意`).
 *
 * Full-width digits and punctuation are accepted. A value outside 1–4 is not an answer and is
 * reported in `problems`, as are contradicting values for one item (the first one read is kept).
 * Lines holding nothing but answers are removed from the comment; a line mixing an answer with
 * other words stays in the comment whole, so the words keep their context.
 */
export function parseAnswerText(text: string): AnswerText {
  const answers: SurveyReplyAnswers = {};
  const problems: string[] = [];
  const answerLines: string[] = [];
  const kept: string[] = [];

  const take = (item: SurveyItem, value: string, level: SurveyLevel | undefined): boolean => {
    if (level === undefined) {
      problems.push(`${item}: "${value}" is not a level from 1 to 4`);
      return false;
    }
    const earlier = answers[item];
    if (earlier !== undefined && earlier !== level) {
      problems.push(`${item} answered twice with different levels (${earlier} and ${level})`);
      return false;
    }
    answers[item] = level;
    return true;
  };

  for (const line of text.split(/\r\n?|\n/)) {
    const normalized = normalizeLine(line).replace(LIST_MARKER, '');
    if (normalized === '' || normalized.length > MAX_ANSWER_LINE_CHARS) {
      kept.push(line);
      continue;
    }
    let consumed = false;
    const positional = POSITIONAL.exec(normalized) ?? BARE_DIGITS.exec(normalized);
    if (positional) {
      const digits = SURVEY_ITEMS.map((_, index) => positional[index + 1] ?? '');
      const invalid = digits.filter((digit) => toLevel(digit) === undefined);
      if (invalid.length > 0) {
        // A 5 or a 0 suggests another scale (1-5, 0-10): the other digits cannot be trusted either.
        problems.push(
          `"${digits.join(' ')}" has values outside 1 to 4 (${[...new Set(invalid)].join(', ')}); none taken`,
        );
      } else {
        // Words after the digits keep the line in the comment, where they make sense.
        consumed = !/[\p{L}\p{N}]/u.test(positional.groups?.rest ?? '');
        SURVEY_ITEMS.forEach((item, index) => {
          const digit = digits[index] ?? '';
          if (!take(item, digit, toLevel(digit))) consumed = false;
        });
      }
    } else {
      const matches = [...normalized.matchAll(ITEM_LEVEL)];
      if (matches.length > 0) {
        consumed = onlyAnswers(normalized, matches);
        for (const match of matches) {
          const item = ITEM_BY_NAME.get(match.groups?.item ?? '');
          const number = match.groups?.number;
          const word = match.groups?.word ?? '';
          if (item === undefined) continue;
          const ok =
            number !== undefined
              ? take(item, number, toLevel(number))
              : take(item, word, LEVEL_BY_WORD.get(word));
          if (!ok) consumed = false;
        }
      }
    }
    if (consumed) answerLines.push(line);
    else kept.push(line);
  }

  return { answers, comment: tidy(kept.map((line) => line.trimEnd())), answerLines, problems };
}

function toLevel(value: string): SurveyLevel | undefined {
  switch (value) {
    case '1':
      return 1;
    case '2':
      return 2;
    case '3':
      return 3;
    case '4':
      return 4;
    default:
      return undefined;
  }
}

/** True when nothing but item names, fillers and punctuation surrounds the matched answers. */
function onlyAnswers(line: string, matches: RegExpExecArray[]): boolean {
  let rest = '';
  let last = 0;
  for (const match of matches) {
    rest += `${line.slice(last, match.index)} `;
    last = match.index + match[0].length;
  }
  rest += line.slice(last);
  return !/[\p{L}\p{N}]/u.test(rest.replace(ANY_ITEM, ' ').replace(FILLER, ' '));
}
