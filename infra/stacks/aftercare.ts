/**
 * The whole Aftercare deployment of one stage: its stacks, their wiring and the compliance checks.
 * `infra/app.ts` calls this after bundling; the infra tests call it on an in-memory app.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api-stack.ts';
import { DataStack } from './data-stack.ts';
import { EventsStack } from './events-stack.ts';
import { OpsStack } from './ops-stack.ts';
import { SlaTimers } from './sla-stack.ts';
import { SurveyKeysStack, SurveyStack } from './survey-stack.ts';

export interface AftercareConfig {
  /** Deployment stage (`dev`, `prod`, …); part of every stack name. */
  readonly stage: string;
  /** Branch timezone for case numbers and day indexes. */
  readonly timeZone: string;
  /** Origins allowed by the API's CORS. */
  readonly corsOrigins: string[];
  /** Domain mail is sent from (SES identity); survey replies go to reply.<mailDomain>. */
  readonly mailDomain: string;
}

export interface AftercareStacks {
  readonly data: DataStack;
  readonly events: EventsStack;
  readonly api: ApiStack;
  readonly ops: OpsStack;
  readonly surveys: SurveyStack;
}

const SERVICE_NAME = 'aftercare';

/** Reads the stage configuration from CDK context (`cdk synth -c stage=prod`), with local defaults. */
export function configFromContext(app: App): AftercareConfig {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9]{0,11}$/.test(stage))
    throw new Error(`context stage must be 1–12 lowercase letters or digits, got "${stage}"`);
  const origins = app.node.tryGetContext('corsOrigins') ?? '*';
  return {
    stage,
    timeZone: String(app.node.tryGetContext('timeZone') ?? 'Asia/Shanghai'),
    mailDomain: String(app.node.tryGetContext('mailDomain') ?? 'aftercare.example'),
    corsOrigins: Array.isArray(origins)
      ? origins.map(String)
      : String(origins)
          .split(',')
          .map((o) => o.trim()),
  };
}

/**
 * Registers cdk-nag's AWS Solutions pack as a policy-validation plugin: any finding not acknowledged
 * (with a reason, on the narrowest construct) fails synthesis.
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** Creates the stacks of one stage, split by lifecycle: data (retained) apart from events and compute. */
export function createAftercare(app: App, config: AftercareConfig): AftercareStacks {
  const prefix = `Aftercare-${config.stage}`;
  const tags = { app: SERVICE_NAME, stage: config.stage };
  const data = new DataStack(app, `${prefix}-Data`, {
    description: `Aftercare ${config.stage}: single table (retained)`,
    tags,
    terminationProtection: true,
  });
  const events = new EventsStack(app, `${prefix}-Events`, {
    description: `Aftercare ${config.stage}: event bus, rules and consumers`,
    tags,
    table: data.table,
    serviceName: SERVICE_NAME,
  });
  // SLA timers live inside the events stack (its consumers are their clock and target).
  const sla = new SlaTimers(events, 'Sla', {
    table: data.table,
    clock: events.consumers['sla-clock'],
    timer: events.consumers['sla-timer'],
    scheduleGroupName: `aftercare-${config.stage}-sla`,
    timeZone: config.timeZone,
    mailFrom: `Aftercare Customer Service <service@${config.mailDomain}>`,
    emailIdentity: config.mailDomain,
    serviceName: SERVICE_NAME,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    description: `Aftercare ${config.stage}: HTTP API, users and API functions`,
    tags,
    table: data.table,
    bus: events.bus,
    timeZone: config.timeZone,
    serviceName: SERVICE_NAME,
    corsOrigins: config.corsOrigins,
  });
  const surveyKeys = new SurveyKeysStack(app, `${prefix}-SurveyKeys`, {
    description: `Aftercare ${config.stage}: survey link key (retained)`,
    tags,
  });
  const surveys = new SurveyStack(app, `${prefix}-Surveys`, {
    description: `Aftercare ${config.stage}: survey cards, replies and the morning run`,
    tags,
    table: data.table,
    bus: events.bus,
    api,
    tokenSecret: surveyKeys.tokenSecret,
    timeZone: config.timeZone,
    serviceName: SERVICE_NAME,
    mailDomain: config.mailDomain,
  });
  const functions = {
    ...api.functions,
    'survey-dispatch': surveys.dispatch,
    'survey-inbound': surveys.inbound,
    ...events.consumers,
    ...Object.fromEntries(events.relays.map((r) => [r.node.id, r.relay])),
  };
  const deadLetterQueues = [
    ...events.relays.map((r) => r.deadLetters),
    ...events.subscriptions.map((s) => s.deadLetters),
    ...Object.values(events.failedInvocations),
    sla.deadLetters,
    ...surveys.deadLetterQueues,
  ];
  const ops = new OpsStack(app, `${prefix}-Ops`, {
    description: `Aftercare ${config.stage}: ops dashboard`,
    tags,
    api: api.api,
    functions,
    deadLetterQueues,
    alarms: [
      api.serverErrorsAlarm,
      ...Object.values(functions).map((f) => f.errorsAlarm),
      ...deadLetterQueues.map((d) => d.alarm),
    ],
  });
  addComplianceChecks(app);
  return { data, events, api, ops, surveys };
}
