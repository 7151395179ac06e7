/** Wiring of the complaint functions: stores and clients built once per execution environment. */
import type { InvestigationDeps } from '../../shared/complaints/investigation.ts';
import type { ComplaintApiDeps } from '../../shared/complaints/service.ts';
import { DynamoComplaintStore } from '../../shared/complaints/store.ts';
import { StepFunctionsWorkflow, sfnClient, type WorkflowPort } from '../../shared/complaints/workflow.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import { now } from '../../shared/runtime/clock.ts';
import { log } from '../../shared/runtime/observability.ts';
import type { SlaDeps } from '../../shared/sla/service.ts';
import { DynamoSlaStore } from '../../shared/sla/store.ts';
import {
  EventBridgeSchedulerTimers,
  type SlaTimerEnv,
  schedulerClient,
  slaTimers,
} from '../../shared/sla/timers.ts';
import { documentClient } from '../../shared/store/client.ts';

type Env = { TABLE_NAME: string; TIME_ZONE: string };
type MailEnv = { MAIL_FROM: string; SES_CONFIGURATION_SET: string };

let api: (ComplaintApiDeps & InvestigationDeps) | undefined;
let tasks: InvestigationDeps | undefined;
let timer: InvestigationDeps | undefined;
let starter: { workflow: WorkflowPort } | undefined;

const logLine = (message: string, details?: Record<string, unknown>) => log().info(message, details ?? {});

function base(env: Env & MailEnv) {
  const db = documentClient();
  return {
    complaints: new DynamoComplaintStore(db, env.TABLE_NAME),
    directory: new DynamoDirectoryStore(db, env.TABLE_NAME),
    branchSettings: new DynamoSlaStore(db, env.TABLE_NAME),
    mailer: new SesMailer(sesClient, { from: env.MAIL_FROM, configurationSet: env.SES_CONFIGURATION_SET }),
    timeZone: env.TIME_ZONE,
    now,
    log: logLine,
  };
}

/** The API: registration, reads, step completion (answers the waiting task, removes its schedules). */
export function complaintDeps(env: Env & MailEnv & { SLA_SCHEDULE_GROUP: string }) {
  api ??= {
    ...base(env),
    timers: new EventBridgeSchedulerTimers(schedulerClient(), { group: env.SLA_SCHEDULE_GROUP }, now),
    workflow: new StepFunctionsWorkflow(sfnClient),
  };
  return api;
}

/** The workflow's task function: schedules step deadlines on the SLA timer target. */
export function complaintTaskDeps(env: Env & MailEnv & SlaTimerEnv): InvestigationDeps {
  tasks ??= {
    ...base(env),
    timers: slaTimers(env, now),
    workflow: new StepFunctionsWorkflow(sfnClient),
  };
  return tasks;
}

/** The SLA timer target, for overdue complaint steps: its own mailer and timers, the complaint store. */
export function complaintTimerDeps(
  env: Env,
  sla: Pick<SlaDeps, 'mailer' | 'timers' | 'directory'>,
): InvestigationDeps {
  timer ??= {
    complaints: new DynamoComplaintStore(documentClient(), env.TABLE_NAME),
    branchSettings: new DynamoSlaStore(documentClient(), env.TABLE_NAME),
    directory: sla.directory,
    mailer: sla.mailer,
    timers: sla.timers,
    // The timer target answers no tasks.
    workflow: {
      start: () => Promise.reject(new Error('the timer target starts no workflows')),
      succeed: () => Promise.reject(new Error('the timer target answers no tasks')),
      fail: () => Promise.reject(new Error('the timer target answers no tasks')),
    },
    timeZone: env.TIME_ZONE,
    now,
    log: logLine,
  };
  return timer;
}

/** The starter: only Step Functions. */
export function complaintStarterDeps(env: { COMPLAINT_WORKFLOW_ARN: string }) {
  starter ??= { workflow: new StepFunctionsWorkflow(sfnClient, env.COMPLAINT_WORKFLOW_ARN) };
  return starter;
}
