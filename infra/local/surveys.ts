/**
 * Everything the survey functions need on one machine: the SES outbox, the S3 inbox, their pages and
 * endpoints, the morning-run trigger, and the functions' environment. `infra/local/system.ts` mounts
 * it; the handlers are the deployed entries of `jobFunctions`, invoked with the events AWS would send.
 *
 * - `POST /_local/run/survey-dispatch` (JSON body optional: `{ "today": "YYYY-MM-DD" }`) runs the
 *   morning run now and answers with its report;
 * - `GET /_local/outbox` lists the e-mails sent; `POST /_local/inbox` takes a raw reply.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jobFunctions } from '../../functions/catalog.ts';
import { type InboundHandler, inboxEndpoint, S3_EDGE_PATH, s3Edge, watchInbox } from './inbox.ts';
import { lambdaContext } from './lambda-context.ts';
import { outboxPages, SES_EDGE_PATH, sesEdge } from './outbox.ts';
import type { SideRoute } from './server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type JobId = keyof typeof jobFunctions;
type Job = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export interface LocalSurveyOptions {
  dataDir: string;
  /** Mail folders in a throwaway temporary folder, removed on stop. */
  inMemory: boolean;
  /** A link-signing key kept only in memory (tests); otherwise the key under the data folder. */
  ephemeralKeys: boolean;
}

export interface LocalSurveys {
  outboxDir: string;
  inboxDir: string;
  sideRoutes: SideRoute[];
  /** The survey functions' environment, as the survey stack sets it on AWS, for a server at `url`. */
  env(url: string): Record<string, string>;
  /** Starts handing `.eml` files dropped into the inbox folder to the inbound function. */
  watch(): void;
  stop(): Promise<void>;
}

export function localSurveys(opts: LocalSurveyOptions): LocalSurveys {
  const mailDir = opts.inMemory ? mkdtempSync(join(tmpdir(), 'aftercare-mail-')) : opts.dataDir;
  const outboxDir = join(mailDir, 'outbox');
  const inboxDir = join(mailDir, 'inbox');
  mkdirSync(outboxDir, { recursive: true });
  mkdirSync(inboxDir, { recursive: true });
  const secret = opts.ephemeralKeys
    ? randomBytes(32).toString('hex')
    : persistentSecret(join(opts.dataDir, 'keys', 'survey-secret'));

  const jobs = new Map<JobId, Promise<Job>>();
  const job = (id: JobId): Promise<Job> => {
    if (!jobs.has(id)) {
      const entry = pathToFileURL(join(root, jobFunctions[id].entry)).href;
      jobs.set(
        id,
        import(entry).then((m: { handler: Job }) => m.handler),
      );
    }
    return jobs.get(id) as Promise<Job>;
  };
  const inbound = async (): Promise<InboundHandler> => {
    const handler = await job('survey-inbound');
    return (event) => handler(event, lambdaContext('survey-inbound'));
  };

  const runDispatch: SideRoute = async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/_local/run/survey-dispatch' || req.method !== 'POST') return false;
    let input: unknown = {};
    try {
      input = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the body must be JSON, e.g. {"today":"2026-11-23"}, or empty' }));
      return true;
    }
    try {
      const report = await (await job('survey-dispatch'))(input, lambdaContext('survey-dispatch'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: (err as Error).message }));
    }
    return true;
  };

  let watcher: { close(): void } | undefined;
  return {
    outboxDir,
    inboxDir,
    sideRoutes: [
      sesEdge(outboxDir),
      s3Edge(inboxDir),
      outboxPages(outboxDir),
      inboxEndpoint(inboxDir, inbound),
      runDispatch,
    ],
    env: (url) => ({
      AWS_ENDPOINT_URL_SESV2: `${url}${SES_EDGE_PATH}`,
      AWS_ENDPOINT_URL_S3: `${url}${S3_EDGE_PATH}`,
      SURVEY_TOKEN_SECRET: secret,
      PUBLIC_BASE_URL: url,
      MAIL_FROM: 'Aftercare Customer Service <service@aftercare.local>',
      SURVEY_REPLY_DOMAIN: 'reply.aftercare.local',
      SES_CONFIGURATION_SET: 'aftercare-local',
    }),
    watch() {
      watcher ??= watchInbox(inboxDir, inbound);
    },
    async stop() {
      watcher?.close();
      if (opts.inMemory) rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

/** The local link-signing key, created once, so links in the outbox keep working across restarts. */
function persistentSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
