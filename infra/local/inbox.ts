/**
 * Local inbound mail, the way SES receiving works on AWS: the raw message is stored as an object
 * (here a file under `<dataDir>/inbox/`, the "bucket"), then the inbound function is invoked with an
 * S3 event naming it and reads it with its unchanged S3 reader, which `AWS_ENDPOINT_URL_S3` points
 * at the `GetObject` emulation below. Messages arrive by `POST /_local/inbox` (raw MIME) or by
 * dropping an `.eml` file into the folder (the watcher started by `npm start`).
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  type FSWatcher,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import type { SideRoute } from './server.ts';

export const S3_EDGE_PATH = `${AWS_EDGE_PREFIX}/s3`;
/** The name the local inbound "bucket" goes by in S3 events. */
export const LOCAL_INBOUND_BUCKET = 'aftercare-local-inbound';

export type InboundHandler = (event: S3Event) => Promise<unknown>;

/** The S3 notification Lambda receives for a new object. */
export function s3PutEvent(bucket: string, key: string, size: number, at: Date = new Date()): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'local',
        eventTime: at.toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'survey-replies',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          // Like S3, the key is URL-encoded in the event.
          object: { key: encodeURIComponent(key), size, eTag: 'local', sequencer: '0' },
        },
      },
    ],
  };
}

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

/** S3 `GetObject` (path style: `GET /_aws/s3/<bucket>/<key>`) from the inbox folder. */
export function s3Edge(dir: string): SideRoute {
  return async (req: IncomingMessage, _body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(`${S3_EDGE_PATH}/`)) return false;
    const [bucket = '', ...rest] = path.slice(S3_EDGE_PATH.length + 1).split('/');
    const key = rest.map((p) => decodeURIComponent(p)).join('/');
    if (req.method !== 'GET') {
      xmlError(res, 501, 'NotImplemented', 'only GetObject is emulated locally');
      return true;
    }
    const file = resolve(dir, key);
    if (
      decodeURIComponent(bucket) !== LOCAL_INBOUND_BUCKET ||
      !file.startsWith(resolve(dir) + sep) ||
      !existsSync(file)
    ) {
      xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return true;
    }
    const content = readFileSync(file);
    res.writeHead(200, { 'content-type': 'message/rfc822', 'content-length': String(content.length) });
    res.end(content);
    return true;
  };
}

/** Stores a raw message in the inbox and invokes the inbound handler for it, as SES + S3 would. */
export async function deliverToInbox(
  dir: string,
  raw: Buffer,
  invoke: InboundHandler,
): Promise<{ key: string; result: unknown }> {
  mkdirSync(dir, { recursive: true });
  const key = `${Date.now()}-${randomBytes(4).toString('hex')}.eml`;
  writeFileSync(join(dir, key), raw);
  return { key, result: await invoke(s3PutEvent(LOCAL_INBOUND_BUCKET, key, raw.length)) };
}

/** `POST /_local/inbox` with the raw message as the body. */
export function inboxEndpoint(dir: string, handler: () => Promise<InboundHandler>): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== '/_local/inbox' || req.method !== 'POST') return false;
    if (body.length === 0) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'post the raw MIME message as the body' }));
      return true;
    }
    const delivered = await deliverToInbox(dir, body, await handler());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(delivered));
    return true;
  };
}

/**
 * Watches the inbox folder: every `.eml` file found at start or dropped in later is handed to the
 * inbound handler once (a message handled before is recognised by the handler itself and skipped).
 */
export function watchInbox(
  dir: string,
  handler: () => Promise<InboundHandler>,
  log = console,
): { close(): void } {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  const pending = new Map<string, NodeJS.Timeout>();
  const handle = (file: string) => {
    if (!file.endsWith('.eml') || seen.has(file)) return;
    clearTimeout(pending.get(file));
    // Wait until the file stops growing: a copy may still be in progress.
    pending.set(
      file,
      setTimeout(async () => {
        pending.delete(file);
        const path = join(dir, file);
        if (seen.has(file) || !existsSync(path)) return;
        seen.add(file);
        try {
          const result = await (await handler())(s3PutEvent(LOCAL_INBOUND_BUCKET, file, statSync(path).size));
          log.log(`[inbox] ${file}: ${JSON.stringify(result)}`);
        } catch (err) {
          seen.delete(file);
          log.error(`[inbox] ${file} failed`, err);
        }
      }, 300),
    );
  };
  for (const file of readdirSync(dir)) handle(file);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, name) => {
      if (name) handle(String(name));
    });
  } catch (err) {
    log.error('[inbox] cannot watch the inbox folder; use POST /_local/inbox', err);
  }
  return {
    close() {
      watcher?.close();
      for (const timer of pending.values()) clearTimeout(timer);
    },
  };
}
