/**
 * The whole Aftercare deployment of one stage: its stacks, their wiring and the compliance checks.
 * `infra/app.ts` calls this after bundling; the infra tests call it on an in-memory app.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataStack } from './data-stack.ts';
import { IdentityStack } from './identity-stack.ts';
import { SurveyKeysStack } from './keys-stack.ts';
import { OpsStack } from './ops-stack.ts';
import { ServiceStack } from './service-stack.ts';

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
  readonly identity: IdentityStack;
  readonly keys: SurveyKeysStack;
  readonly service: ServiceStack;
  readonly ops: OpsStack;
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

/**
 * Creates the stacks of one stage, split by lifecycle: what outlives deployments (table, users, survey
 * key; retained) apart from the compute derived from the catalogue, and the ops dashboard apart from both.
 */
export function createAftercare(app: App, config: AftercareConfig): AftercareStacks {
  const prefix = `Aftercare-${config.stage}`;
  const tags = { app: SERVICE_NAME, stage: config.stage };
  const data = new DataStack(app, `${prefix}-Data`, {
    description: `Aftercare ${config.stage}: single table (retained)`,
    tags,
    terminationProtection: true,
  });
  const identity = new IdentityStack(app, `${prefix}-Identity`, {
    description: `Aftercare ${config.stage}: users and roles (retained)`,
    tags,
    terminationProtection: true,
  });
  const keys = new SurveyKeysStack(app, `${prefix}-SurveyKeys`, {
    description: `Aftercare ${config.stage}: survey link key (retained)`,
    tags,
  });
  const service = new ServiceStack(app, `${prefix}-Service`, {
    description: `Aftercare ${config.stage}: API, event bus, functions and their triggers, mail`,
    tags,
    resourcePrefix: `${SERVICE_NAME}-${config.stage}`,
    serviceName: SERVICE_NAME,
    timeZone: config.timeZone,
    corsOrigins: config.corsOrigins,
    mailDomain: config.mailDomain,
    table: data.table,
    userPool: identity.userPool,
    userPoolClient: identity.userPoolClient,
    surveyKey: keys.tokenSecret,
  });
  const ops = new OpsStack(app, `${prefix}-Ops`, {
    description: `Aftercare ${config.stage}: ops dashboard`,
    tags,
    api: service.api.api,
    functions: service.functions,
    deadLetterQueues: service.deadLetterQueues,
    eventQueues: service.eventQueues,
    alarms: service.alarms,
  });
  addComplianceChecks(app);
  return { data, identity, keys, service, ops };
}
