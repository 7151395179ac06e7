/** Wiring of the SLA functions: store, scheduler and mailer built once per execution environment. */
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { DynamoMeasureStore, type MeasureStore } from '../../shared/measures/store.ts';
import { type Mailer, SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import { now } from '../../shared/runtime/clock.ts';
import { log } from '../../shared/runtime/observability.ts';
import type { SlaApiDeps, SlaDeps } from '../../shared/sla/service.ts';
import { DynamoSlaStore } from '../../shared/sla/store.ts';
import {
  EventBridgeSchedulerTimers,
  type SlaTimerEnv,
  schedulerClient,
  slaTimers,
} from '../../shared/sla/timers.ts';
import { documentClient } from '../../shared/store/client.ts';

let api: (SlaApiDeps & { aggregates: MeasureStore }) | undefined;
let clock: SlaDeps | undefined;
let timer: SlaDeps | undefined;

const directory = (env: { TABLE_NAME: string }) => new DynamoDirectoryStore(documentClient(), env.TABLE_NAME);

/** The API's; `/sla/measures` reads the measures' day aggregates. */
export function slaApiDeps(env: { TABLE_NAME: string; TIME_ZONE: string }) {
  api ??= {
    store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
    aggregates: new DynamoMeasureStore(documentClient(), env.TABLE_NAME),
    directory: directory(env),
    now,
    timeZone: env.TIME_ZONE,
  };
  return api;
}

/** The clock consumer never sends mail; a send would be a bug. */
const noMail: Mailer = {
  sendEmail: () => Promise.reject(new Error('the SLA clock does not send e-mail')),
};

const logLine = (message: string, details?: Record<string, unknown>) => log().info(message, details ?? {});

export function slaClockDeps(env: { TABLE_NAME: string; TIME_ZONE: string } & SlaTimerEnv): SlaDeps {
  clock ??= {
    store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
    timers: slaTimers(env, now),
    mailer: noMail,
    directory: directory(env),
    timeZone: env.TIME_ZONE,
    now,
    log: logLine,
  };
  return clock;
}

export function slaTimerDeps(env: {
  TABLE_NAME: string;
  TIME_ZONE: string;
  SLA_SCHEDULE_GROUP: string;
  MAIL_FROM: string;
  SES_CONFIGURATION_SET: string;
}): SlaDeps {
  timer ??= {
    store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
    timers: new EventBridgeSchedulerTimers(schedulerClient(), { group: env.SLA_SCHEDULE_GROUP }, now),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
    directory: directory(env),
    timeZone: env.TIME_ZONE,
    now,
    log: logLine,
  };
  return timer;
}
