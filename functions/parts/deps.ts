/** Wiring of the parts functions: stores (and the mailer of the jobs) built once per execution environment. */
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import type { PartsJobDeps } from '../../shared/parts/alerts.ts';
import type { PartsDeps } from '../../shared/parts/service.ts';
import { DynamoPartsStore } from '../../shared/parts/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';

interface BaseEnv {
  TABLE_NAME: string;
  TIME_ZONE: string;
}

function base(env: BaseEnv): PartsDeps {
  const db = documentClient();
  return {
    store: new DynamoPartsStore(db, env.TABLE_NAME),
    cases: new DynamoCaseStore(db, env.TABLE_NAME, env.TIME_ZONE),
    directory: new DynamoDirectoryStore(db, env.TABLE_NAME),
    now,
  };
}

let api: PartsDeps | undefined;
export function partsDeps(env: BaseEnv): PartsDeps {
  api ??= base(env);
  return api;
}

let jobs: PartsJobDeps | undefined;
export function partsJobDeps(
  env: BaseEnv & { MAIL_FROM: string; SES_CONFIGURATION_SET: string },
): PartsJobDeps {
  jobs ??= {
    ...base(env),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
  };
  return jobs;
}
