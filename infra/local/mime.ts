/**
 * A minimal but correct MIME writer for the local outbox (RFC 5322, 2045–2047): UTF-8 everywhere,
 * non-ASCII header text as encoded words, bodies in base64 with 76-character lines, text and HTML
 * as multipart/alternative. What SES would put on the wire for `SendEmail` with simple content.
 */
import { randomBytes } from 'node:crypto';

export interface MimeMessage {
  from: string;
  to: string[];
  replyTo?: string[];
  subject: string;
  text: string;
  html?: string;
  /** Without angle brackets. */
  messageId: string;
  date: Date;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * RFC 2047 encoded words (`=?UTF-8?B?…?=`) for header text that is not plain ASCII, split so that each
 * word stays within 75 characters and never cuts a character in two.
 */
export function encodeHeaderText(value: string): string {
  // Header values must be one line whatever happens: control characters are dropped first.
  const clean = value.replace(/[\r\n\t]+/g, ' ');
  if (PRINTABLE_ASCII.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const char of clean) {
    // 45 bytes of UTF-8 encode to 60 base64 characters: 12 + 60 < 75.
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** `Name <addr>` with the display name encoded when it is not plain ASCII. */
export function encodeAddress(value: string): string {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(value);
  if (!match) return value.trim();
  const [, name = '', address = ''] = match;
  if (name === '') return `<${address}>`;
  const unquoted = name.replace(/^"(.*)"$/, '$1');
  const display = PRINTABLE_ASCII.test(unquoted)
    ? `"${unquoted.replace(/["\\]/g, '\\$&')}"`
    : encodeHeaderText(unquoted);
  return `${display} <${address}>`;
}

/** RFC 5322 date, e.g. `Sun, 22 Nov 2026 20:05:17 +0000`. */
export function mailDate(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function base64Body(value: string): string {
  const normalised = value.replace(/\r?\n/g, '\r\n');
  return (
    Buffer.from(normalised, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

function part(type: 'plain' | 'html', body: string): string {
  return [
    `Content-Type: text/${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Body(body),
  ].join('\r\n');
}

/** The whole message, CRLF line endings. */
export function buildMime(message: MimeMessage): string {
  const headers = [
    `From: ${encodeAddress(message.from)}`,
    `To: ${message.to.map(encodeAddress).join(', ')}`,
    ...(message.replyTo?.length ? [`Reply-To: ${message.replyTo.map(encodeAddress).join(', ')}`] : []),
    `Subject: ${encodeHeaderText(message.subject)}`,
    `Date: ${mailDate(message.date)}`,
    `Message-ID: <${message.messageId}>`,
    'MIME-Version: 1.0',
  ];
  if (message.html === undefined) {
    return `${[...headers, part('plain', message.text)].join('\r\n')}\r\n`;
  }
  const boundary = `=_aftercare_${randomBytes(12).toString('hex')}`;
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    part('plain', message.text),
    `--${boundary}`,
    part('html', message.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
