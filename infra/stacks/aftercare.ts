/**
 * The whole Aftercare deployment of one stage: its settings (validated once, at synth), its stacks, their
 * wiring, where every alarm goes, and the compliance checks. `infra/app.ts` calls this after bundling;
 * the infra tests call it on an in-memory app.
 */
import { type App, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod/mini';
import { AlertsStack } from './alerts-stack.ts';
import { DataStack } from './data-stack.ts';
import { IdentityStack } from './identity-stack.ts';
import { SurveyKeysStack } from './keys-stack.ts';
import { MailStack } from './mail-stack.ts';
import { OpsStack } from './ops-stack.ts';
import { ServiceStack } from './service-stack.ts';

/**
 * Regions a stage may deploy to, each with what it was checked for: SES sending and email receiving
 * (survey replies come in through a receipt rule), Cognito's Plus feature plan with threat protection,
 * EventBridge Scheduler. SES receiving is the narrowest of these: extend this list only after finding the
 * region in the SES "Email receiving endpoints" table (AWS General Reference).
 */
export const SUPPORTED_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;

const hostname = z
  .string()
  .check(z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/));
/** An origin as browsers send it: scheme, host and optional port, no path; https except for localhost. */
const origin = z.string().check(z.regex(/^(https:\/\/[a-z0-9.-]+|http:\/\/localhost)(:\d{1,5})?$/));

/** The settings of one stage, as `cdk.json` (`context.stages.<stage>`) and `-c key=value` give them. */
export const stageSettingsSchema = z.object({
  /** AWS account the stage deploys to (12 digits). */
  account: z.string().check(z.regex(/^\d{12}$/)),
  region: z.string().check(
    z.refine((r) => (SUPPORTED_REGIONS as readonly string[]).includes(r), {
      error: (issue) =>
        `region ${String(issue.input)} is not supported: the stage needs SES email receiving (survey replies come in by e-mail), which this deployment supports in ${SUPPORTED_REGIONS.join(', ')} only`,
    }),
  ),
  /** Branch timezone for case numbers, day indexes and the named schedules. */
  timeZone: z.string().check(
    z.refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'timeZone must be an IANA timezone, e.g. Asia/Shanghai' },
    ),
  ),
  /**
   * Domain mail is sent from, one per stage (an SES identity is per account and region, so two stages in
   * one account cannot both create it); replies go to `reply.<mailDomain>`.
   */
  mailDomain: hostname,
  /** The identity of `mailDomain` exists and is verified already (created outside this stage): use it. */
  importMailIdentity: z.optional(z.boolean()),
  /** Origins the API answers cross-origin requests from (the staff and customer web apps); no `*`. */
  corsOrigins: z.array(origin).check(z.minLength(1)),
  /** Who is paged: every alarm of the stage notifies this address (SNS e-mail subscription). */
  alertEmail: z.email(),
  /** Custom domain of the API; survey links are built from it, so they outlive the API itself. */
  apiDomain: z.optional(
    z.object({
      name: hostname,
      /** ACM certificate of `name`, in the stage's region. */
      certificateArn: z
        .string()
        .check(z.regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/)),
    }),
  ),
});
export type StageSettings = z.infer<typeof stageSettingsSchema>;

export interface AftercareConfig extends StageSettings {
  /** Deployment stage (`dev`, `prod`, …); part of every stack name. */
  readonly stage: string;
}

export interface AftercareStacks {
  readonly alerts: AlertsStack;
  readonly mail: MailStack;
  readonly data: DataStack;
  readonly identity: IdentityStack;
  readonly keys: SurveyKeysStack;
  readonly service: ServiceStack;
  readonly ops: OpsStack;
}

const SERVICE_NAME = 'aftercare';

/** Settings that may also be given one by one on the command line (`-c region=eu-west-1`). */
const overridable = Object.keys(stageSettingsSchema.shape) as (keyof StageSettings)[];

/**
 * The settings of the stage named by context `stage` (default `dev`): its entry under `context.stages` in
 * `cdk.json`, with any single setting given on the command line on top, validated by
 * {@link stageSettingsSchema}. An invalid or unsupported setting fails synthesis, naming the setting.
 */
export function configFromContext(app: App): AftercareConfig {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z][a-z0-9]{0,11}$/.test(stage))
    throw new Error(`context stage must be 1–12 lowercase letters or digits, got "${stage}"`);
  const stages = (app.node.tryGetContext('stages') ?? {}) as Record<string, Record<string, unknown>>;
  const raw: Record<string, unknown> = { ...stages[stage] };
  for (const key of overridable) {
    const value = app.node.tryGetContext(key);
    if (value !== undefined)
      raw[key] = key === 'corsOrigins' && typeof value === 'string' ? value.split(',') : value;
  }
  const parsed = z.safeParse(stageSettingsSchema, raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(stage)'}: ${i.message}`);
    throw new Error(
      `stage ${stage}: invalid settings (cdk.json context.stages.${stage}):\n${problems.join('\n')}`,
    );
  }
  return { stage, ...parsed.data };
}

/**
 * Registers cdk-nag's AWS Solutions pack as a policy-validation plugin: any finding not acknowledged
 * (with a reason, on the narrowest construct) fails synthesis.
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Creates the stacks of one stage, split by lifecycle: where alarms go and the mail identity first; what
 * outlives deployments (table, users, survey key; retained) apart from the compute derived from the
 * catalogue, and the ops dashboard apart from both. Every alarm, wherever it is, notifies the alert topic.
 */
export function createAftercare(app: App, config: AftercareConfig): AftercareStacks {
  const prefix = `Aftercare-${config.stage}`;
  const resourcePrefix = `${SERVICE_NAME}-${config.stage}`;
  const tags = { app: SERVICE_NAME, stage: config.stage };
  const env = { account: config.account, region: config.region };
  const alerts = new AlertsStack(app, `${prefix}-Alerts`, {
    description: `Aftercare ${config.stage}: alarm topic`,
    env,
    tags,
    alertEmail: config.alertEmail,
  });
  const mail = new MailStack(app, `${prefix}-Mail`, {
    description: `Aftercare ${config.stage}: SES sending identity and configuration set`,
    env,
    tags,
    mailDomain: config.mailDomain,
    importIdentity: config.importMailIdentity ?? false,
    configurationSetName: resourcePrefix,
  });
  const data = new DataStack(app, `${prefix}-Data`, {
    description: `Aftercare ${config.stage}: single table (retained)`,
    env,
    tags,
    terminationProtection: true,
  });
  const identity = new IdentityStack(app, `${prefix}-Identity`, {
    description: `Aftercare ${config.stage}: users and roles (retained)`,
    env,
    tags,
    terminationProtection: true,
    mail: mail.sender,
    serviceName: SERVICE_NAME,
    timeZone: config.timeZone,
  });
  const keys = new SurveyKeysStack(app, `${prefix}-SurveyKeys`, {
    description: `Aftercare ${config.stage}: survey link key (retained)`,
    env,
    tags,
  });
  const service = new ServiceStack(app, `${prefix}-Service`, {
    description: `Aftercare ${config.stage}: API, event bus, functions and their triggers, mail`,
    env,
    tags,
    resourcePrefix,
    serviceName: SERVICE_NAME,
    timeZone: config.timeZone,
    corsOrigins: config.corsOrigins,
    ...(config.apiDomain ? { apiDomain: config.apiDomain } : {}),
    mail: mail.sender,
    table: data.table,
    userPool: identity.userPool,
    userPoolClient: identity.userPoolClient,
    surveyKey: keys.tokenSecret,
  });
  const ops = new OpsStack(app, `${prefix}-Ops`, {
    description: `Aftercare ${config.stage}: ops dashboard`,
    env,
    tags,
    api: service.api.api,
    functions: { ...service.functions, ...identity.functions },
    deadLetterQueues: service.deadLetterQueues,
    eventQueues: service.eventQueues,
    alarms: [...service.alarms, ...Object.values(identity.functions).map((f) => f.errorsAlarm)],
    serviceName: SERVICE_NAME,
  });

  // Every alarm pages: whichever stack or construct made it.
  const page = new cwActions.SnsAction(alerts.topic);
  for (const stack of [mail, data, identity, keys, service, ops]) {
    for (const alarm of stack.node.findAll().filter((c) => c instanceof cloudwatch.Alarm)) {
      alarm.addAlarmAction(page);
    }
  }
  addComplianceChecks(app);
  return { alerts, mail, data, identity, keys, service, ops };
}
