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
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvBindings } from '../../shared/config/env.ts';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import { durableSecret } from './durable-file.ts';
import {
  type InboundHandler,
  inboxEndpoint,
  LOCAL_INBOUND_BUCKET,
  S3_EDGE_PATH,
  s3Edge,
  watchInbox,
} from './inbox.ts';
import { answerRun } from './job-runs.ts';
import { outboxPages, SES_EDGE_PATH, sesEdge } from './outbox.ts';
import { localSecretArn, secretsManagerEdge } from './secrets.ts';
import type { SideRoute } from './server.ts';

type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

export interface LocalSurveyOptions {
  dataDir: string;
  /** Mail folders in a throwaway temporary folder, removed on stop. */
  inMemory: boolean;
  /** A link-signing key kept only in memory (tests); otherwise the key under the data folder. */
  ephemeralKeys: boolean;
  /** Invokes a catalogue function (the survey run). */
  invoke: Invoke;
  /**
   * Invokes a function the way an asynchronous AWS trigger does (the S3 notification of an inbound reply):
   * a failed invocation is queued for retries, then dead-lettered, instead of being lost.
   */
  deliver: (functionId: string, event: unknown, source: string) => Promise<unknown>;
}

export interface LocalSurveys {
  outboxDir: string;
  inboxDir: string;
  sideRoutes: SideRoute[];
  /** SDK endpoint overrides for SES and S3, for a server at `url`. */
  endpoints(url: string): Record<string, string>;
  /** The survey and mail variables of the functions' environment, for a server at `url`. */
  bindings(
    url: string,
  ): Pick<
    EnvBindings,
    | 'SURVEY_TOKEN_SECRET_ARN'
    | 'PUBLIC_BASE_URL'
    | 'MAIL_FROM'
    | 'SURVEY_REPLY_DOMAIN'
    | 'SES_CONFIGURATION_SET'
  >;
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
    : durableSecret(join(opts.dataDir, 'keys', 'survey-secret'), 'survey link key', () =>
        randomBytes(32).toString('hex'),
      );
  // The functions read the key by ARN through the Secrets Manager client, as on AWS.
  const secretArn = localSecretArn('aftercare-survey-link-key');

  const inbound = async (): Promise<InboundHandler> => (event) =>
    opts.deliver('survey-inbound', event, `s3/${LOCAL_INBOUND_BUCKET}`);

  const runDispatch: SideRoute = async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/_local/run/survey-dispatch' || req.method !== 'POST') return false;
    return answerRun(body, res, (input) => opts.invoke('survey-dispatch', input));
  };

  let watcher: { close(): void } | undefined;
  return {
    outboxDir,
    inboxDir,
    sideRoutes: [
      sesEdge(outboxDir),
      secretsManagerEdge({ [secretArn]: secret }),
      s3Edge(inboxDir),
      outboxPages(outboxDir),
      inboxEndpoint(inboxDir, inbound),
      runDispatch,
    ],
    endpoints: (url) => ({
      AWS_ENDPOINT_URL_SESV2: `${url}${SES_EDGE_PATH}`,
      AWS_ENDPOINT_URL_S3: `${url}${S3_EDGE_PATH}`,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `${url}${AWS_EDGE_PREFIX}`,
    }),
    bindings: (url) => ({
      SURVEY_TOKEN_SECRET_ARN: secretArn,
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
