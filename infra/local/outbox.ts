/**
 * The local SES: `AWS_ENDPOINT_URL_SESV2` points the unchanged SES v2 client here, and `SendEmail`
 * writes each message as a complete MIME file under `<dataDir>/outbox/` instead of sending it.
 * `/_local/outbox` lists the messages for a person (HTML, every value escaped), `/_local/outbox/<id>`
 * shows one with its links, `/_local/outbox/<id>.html` renders its HTML part, and
 * `/_local/outbox.json` gives the same to tests and scripts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { escapeHtml } from '../../shared/surveys/page.ts';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import { buildMime } from './mime.ts';
import type { SideRoute } from './server.ts';

export const SES_EDGE_PATH = `${AWS_EDGE_PREFIX}/sesv2`;
const SEND_EMAIL = `${SES_EDGE_PATH}/v2/email/outbound-emails`;

interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ReplyToAddresses?: string[];
  Content?: {
    Simple?: {
      Subject?: { Data?: string };
      Body?: { Text?: { Data?: string }; Html?: { Data?: string } };
    };
  };
}

/** A message of the outbox, as read back from its MIME file. */
export interface OutboxMessage {
  id: string;
  file: string;
  date: string;
  from: string;
  to: string[];
  replyTo: string[];
  subject: string;
  text: string;
  html?: string;
  /** Every `href` of the HTML part (or the URLs of the text part when there is no HTML). */
  links: string[];
}

const ID = /^[0-9]{13}-[0-9a-f]{8}$/;

function restJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'",
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:16px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top}iframe{width:100%;height:70vh;border:1px solid #ccc}pre{white-space:pre-wrap;background:#f6f8fa;padding:8px}</style></head><body>${body}</body></html>`,
  );
}

/** Reads every message of the outbox, newest first. */
export async function readOutbox(dir: string): Promise<OutboxMessage[]> {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .reverse();
  return Promise.all(files.map((file) => readMessage(dir, file)));
}

async function readMessage(dir: string, file: string): Promise<OutboxMessage> {
  const mail = await simpleParser(readFileSync(join(dir, file)));
  const addresses = (value: typeof mail.to): string[] =>
    (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  const links = html
    ? [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'))
    : [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
  return {
    id: file.replace(/\.eml$/, ''),
    file: join(dir, file),
    date: mail.date?.toISOString() ?? '',
    from: mail.from?.text ?? '',
    to: addresses(mail.to),
    replyTo: addresses(mail.replyTo),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    ...(html ? { html } : {}),
    links,
  };
}

/** SES v2 `SendEmail` (REST-JSON `POST /v2/email/outbound-emails`) into the outbox folder. */
export function sesEdge(dir: string, now: () => Date = () => new Date()): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(SES_EDGE_PATH)) return false;
    if (req.method !== 'POST' || path !== SEND_EMAIL) {
      restJson(res, 404, { message: `${req.method} ${path} is not emulated locally` });
      return true;
    }
    const input = JSON.parse(body.toString('utf8') || '{}') as SendEmailRequest;
    const simple = input.Content?.Simple;
    const to = input.Destination?.ToAddresses ?? [];
    if (!input.FromEmailAddress || to.length === 0 || !simple?.Subject?.Data || !simple.Body?.Text?.Data) {
      // What SES answers for a request it cannot send.
      restJson(res, 400, {
        message: 'FromEmailAddress, a destination, a subject and a text body are required locally',
      });
      return true;
    }
    const at = now();
    const id = `${String(at.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
    const messageId = `${id}@outbox.aftercare.local`;
    const mime = buildMime({
      from: input.FromEmailAddress,
      to,
      ...(input.ReplyToAddresses?.length ? { replyTo: input.ReplyToAddresses } : {}),
      subject: simple.Subject.Data,
      text: simple.Body.Text.Data,
      ...(simple.Body.Html?.Data ? { html: simple.Body.Html.Data } : {}),
      messageId,
      date: at,
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.eml`), mime);
    restJson(res, 200, { MessageId: messageId });
    return true;
  };
}

/** The outbox pages: list, one message, its HTML part, and the JSON listing. */
export function outboxPages(dir: string): SideRoute {
  return async (req: IncomingMessage, _body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'GET' || !path.startsWith('/_local/outbox')) return false;
    if (path === '/_local/outbox.json') {
      restJson(res, 200, { items: await readOutbox(dir) });
      return true;
    }
    if (path === '/_local/outbox' || path === '/_local/outbox/') {
      const messages = await readOutbox(dir);
      const rows = messages
        .map(
          (m) =>
            `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.to.join(', '))}</td><td><a class="message" href="/_local/outbox/${escapeHtml(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
        )
        .join('');
      page(
        res,
        200,
        'Local outbox',
        `<h1>Local outbox</h1><p>${messages.length} message(s) sent by the local system; nothing leaves this machine. Files: <code>${escapeHtml(dir)}</code></p><table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`,
      );
      return true;
    }
    const match = /^\/_local\/outbox\/([0-9a-f-]+)(\.html|\.eml)?$/.exec(path);
    const id = match?.[1] ?? '';
    if (!ID.test(id)) {
      page(
        res,
        404,
        'Not found',
        '<h1>No such message</h1><p><a href="/_local/outbox">Back to the outbox</a></p>',
      );
      return true;
    }
    let message: OutboxMessage;
    try {
      message = await readMessage(dir, `${id}.eml`);
    } catch {
      page(
        res,
        404,
        'Not found',
        '<h1>No such message</h1><p><a href="/_local/outbox">Back to the outbox</a></p>',
      );
      return true;
    }
    if (match?.[2] === '.eml') {
      res.writeHead(200, { 'content-type': 'message/rfc822' });
      res.end(readFileSync(message.file));
      return true;
    }
    if (match?.[2] === '.html') {
      // The message's own HTML, as a mail client shows it: no scripts may run, links open in the window.
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      res.end(message.html ?? `<pre>${escapeHtml(message.text)}</pre>`);
      return true;
    }
    const links = message.links
      .map((href, i) => `<li><a id="link-${i}" href="${escapeHtml(href)}">${escapeHtml(href)}</a></li>`)
      .join('');
    page(
      res,
      200,
      message.subject,
      `<p><a href="/_local/outbox">← Outbox</a> · <a id="open-html" href="/_local/outbox/${escapeHtml(id)}.html">Open the HTML part</a> · <a href="/_local/outbox/${escapeHtml(id)}.eml">Raw MIME</a></p>
<h1>${escapeHtml(message.subject)}</h1>
<table><tr><th>From</th><td>${escapeHtml(message.from)}</td></tr><tr><th>To</th><td>${escapeHtml(message.to.join(', '))}</td></tr><tr><th>Reply-To</th><td>${escapeHtml(message.replyTo.join(', '))}</td></tr><tr><th>Date</th><td>${escapeHtml(message.date)}</td></tr></table>
<h2>Links</h2><ul>${links}</ul>
<h2>HTML part</h2>${message.html ? `<iframe title="HTML part" sandbox="allow-top-navigation-by-user-activation allow-popups" src="/_local/outbox/${escapeHtml(id)}.html"></iframe>` : '<p>(none)</p>'}
<h2>Text part</h2><pre>${escapeHtml(message.text)}</pre>`,
    );
    return true;
  };
}
