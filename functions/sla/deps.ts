/**
 * Wiring of the SLA functions: environment validated once, store, publisher, scheduler and mailer built
 * once per execution environment.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { apiEnvSchema, loadEnv, slaClockEnvSchema, slaTimerEnvSchema } from '../../shared/config/env.ts';
import { type EmailMessage, type Mailer, SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import { now } from '../../shared/runtime/clock.ts';
import type { SlaApiDeps, SlaDeps } from '../../shared/sla/service.ts';
import { DynamoSlaStore } from '../../shared/sla/store.ts';
import { EventBridgeSchedulerTimers, schedulerClient } from '../../shared/sla/timers.ts';
import { documentClient } from '../../shared/store/client.ts';

export const logger = new Logger();

let api: SlaApiDeps | undefined;
let clock: SlaDeps | undefined;
let timer: SlaDeps | undefined;

export function slaApiDeps(): SlaApiDeps {
  if (!api) {
    const env = loadEnv(apiEnvSchema);
    api = {
      store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
      now,
    };
  }
  return api;
}

/** The clock consumer never sends mail; a send would be a bug. */
const noMail: Mailer = {
  sendEmail: () => Promise.reject(new Error('the SLA clock does not send e-mail')),
};

/**
 * Escalation mail through SES. On one machine without an SES endpoint (the local outbox) the message is
 * logged instead, so `npm start` shows escalations either way; on AWS it is always SES.
 */
function escalationMailer(from: string): Mailer {
  let ses: SesMailer | undefined;
  return {
    async sendEmail(message: EmailMessage) {
      if (process.env.AWS_REGION === 'local' && !process.env.AWS_ENDPOINT_URL_SESV2) {
        logger.info('escalation e-mail (no local SES endpoint: logged, not sent)', { ...message });
        return { messageId: 'logged' };
      }
      ses ??= new SesMailer(sesClient(), { from });
      return ses.sendEmail(message);
    },
  };
}

export function slaClockDeps(): SlaDeps {
  if (!clock) {
    const env = loadEnv(slaClockEnvSchema);
    clock = {
      store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
      timers: new EventBridgeSchedulerTimers(
        schedulerClient(),
        {
          group: env.SLA_SCHEDULE_GROUP,
          delivery: {
            targetArn: env.SLA_TIMER_ARN,
            roleArn: env.SLA_SCHEDULER_ROLE_ARN,
            deadLetterArn: env.SLA_TIMER_DLQ_ARN,
          },
        },
        now,
      ),
      mailer: noMail,
      now,
      log: (message, details) => logger.info(message, details),
    };
  }
  return clock;
}

export function slaTimerDeps(): SlaDeps {
  if (!timer) {
    const env = loadEnv(slaTimerEnvSchema);
    timer = {
      store: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
      timers: new EventBridgeSchedulerTimers(schedulerClient(), { group: env.SLA_SCHEDULE_GROUP }, now),
      mailer: escalationMailer(env.MAIL_FROM),
      now,
      log: (message, details) => logger.info(message, details),
    };
  }
  return timer;
}
