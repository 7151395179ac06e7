/**
 * The one place a stage's environment is bound: a value for every variable of `shared/config/env.ts`.
 * Each function then gets exactly the variables its own schema names (`AftercareFunction`), the way the
 * local runtime (`infra/local/system.ts`) binds the same variables on one machine.
 */
import { Lazy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { EnvBindings } from '../../shared/config/env.ts';
import type { Mail, MailSender } from '../constructs/mail.ts';
import type { ScheduledJob } from '../constructs/scheduled-job.ts';
import { scheduleGroupName } from '../naming.ts';

/** What the variables are bound to. */
export interface BindingSources {
  /** Prefix of named resources, `aftercare-<stage>`. */
  readonly resourcePrefix: string;
  readonly serviceName: string;
  /** The stage's default timezone. */
  readonly timeZone: string;
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** Sending: identity, configuration set, sender address. */
  readonly mail: MailSender;
  /** Receiving: the reply domain. */
  readonly inbound: Mail;
  /** HMAC key of survey links and reply addresses; functions get its ARN and read it at run time. */
  readonly surveyKey: secretsmanager.ISecret;
  /** Base URL of the public pages: the API's custom domain when the stage has one, else the API stage. */
  readonly publicBaseUrl: string;
  /**
   * The SLA timers' Scheduler job (target, role, DLQ). It is wired after the functions are created —
   * their environments name it — so its values are read when the app is synthesized.
   */
  readonly slaTimers: () => ScheduledJob;
  /** A workflow's state machine ARN by name (created with its task function, read at synthesis). */
  readonly workflow: (name: string) => string;
}

/** The variables every function reads (`envSchema()`), bound alike in each stack that deploys functions. */
export function baseBindings(src: Pick<BindingSources, 'serviceName' | 'timeZone'>) {
  return {
    TIME_ZONE: src.timeZone,
    POWERTOOLS_SERVICE_NAME: src.serviceName,
  } satisfies Partial<EnvBindings>;
}

export function stageBindings(src: BindingSources): EnvBindings {
  const late = (produce: (job: ScheduledJob) => string) =>
    Lazy.string({ produce: () => produce(src.slaTimers()) });
  return {
    ...baseBindings(src),
    TABLE_NAME: src.table.tableName,
    EVENT_BUS_NAME: src.bus.eventBusName,
    SLA_SCHEDULE_GROUP: scheduleGroupName(src.resourcePrefix, 'timers'),
    SLA_TIMER_ARN: late((job) => job.target.function.functionArn),
    SLA_SCHEDULER_ROLE_ARN: late((job) => job.role.roleArn),
    SLA_TIMER_DLQ_ARN: late((job) => job.deadLetters.queue.queueArn),
    COMPLAINT_WORKFLOW_ARN: Lazy.string({ produce: () => src.workflow('complaint-investigation') }),
    MAIL_FROM: src.mail.mailFrom,
    SES_CONFIGURATION_SET: src.mail.configurationSetName,
    SURVEY_TOKEN_SECRET_ARN: src.surveyKey.secretArn,
    PUBLIC_BASE_URL: src.publicBaseUrl,
    SURVEY_REPLY_DOMAIN: src.inbound.replyDomain,
  };
}
