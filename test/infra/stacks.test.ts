/**
 * The synthesized CDK app against the data it is built from: the table definition, the domain
 * catalogues (functions, environments, access, triggers, routes) — and cdk-nag's AWS Solutions checks.
 * The app is bundled and synthesized once, with the feature flags of `cdk.json`, as `npm run synth` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { outboxStreamFilter } from '../../events/outbox.ts';
import {
  allEventRules,
  allFunctions,
  allRoutes,
  type FunctionId,
  functionsTriggeredBy,
  PUBLIC_ROUTE_THROTTLE,
  THROTTLE,
} from '../../functions/catalog.ts';
import type { FunctionSpec } from '../../functions/spec.ts';
import { bundleFunctions, functionAssetDir, repoRoot } from '../../infra/bundle.ts';
import { TIMER_ACTIONS, WORKFLOW_ACTIONS } from '../../infra/constructs/function-access.ts';
import { TABLE_WRITE_ACTIONS } from '../../infra/constructs/table-access.ts';
import {
  asyncInvokeDelivery,
  queueDelivery,
  scheduleDelivery,
  streamDelivery,
} from '../../infra/delivery.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { namedSchedules } from '../../infra/naming.ts';
import {
  type AftercareStacks,
  addComplianceChecks,
  configFromContext,
  createAftercare,
  SUPPORTED_REGIONS,
} from '../../infra/stacks/aftercare.ts';
import { roles } from '../../shared/auth/actor.ts';
import { envNames } from '../../shared/config/env.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { tableDefinition } from '../../shared/store/table.ts';

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The context `cdk synth` passes in from `cdk.json` (feature flags); an in-memory App does not read it. */
const cdkJsonContext = (
  JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/** The settings of the stage under test: every optional setting given, so each is exercised. */
const TEST_STAGE = {
  account: '111111111111',
  region: 'eu-west-1',
  timeZone: 'Asia/Shanghai',
  mailDomain: 'aftercare.example',
  corsOrigins: ['https://staff.aftercare.example', 'https://my.aftercare.example'],
  alertEmail: 'ops@aftercare.example',
  apiDomain: {
    name: 'api.aftercare.example',
    certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000000',
  },
};

function newApp(settings: Record<string, unknown> = TEST_STAGE, extra: Record<string, unknown> = {}): App {
  return new App({
    context: { ...cdkJsonContext, stage: 'test', stages: { test: settings }, ...extra },
    outdir: mkdtempSync(join(tmpdir(), 'aftercare-cdk-')),
  });
}

const only = (resources: Record<string, Resource>): [string, Resource] => {
  const entries = Object.entries(resources);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
};
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** The newest `nodejsNN.x` runtime this aws-cdk-lib knows. */
const newestNodeRuntime = lambda.Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name))
  .map((r) => r.name)
  .sort((a, b) => Number.parseInt(a.slice(6), 10) - Number.parseInt(b.slice(6), 10))
  .at(-1);

const catalogue = Object.entries(allFunctions).map(([id, spec]) => ({ id: id as FunctionId, spec }));

let stacks: AftercareStacks;
let assembly: CloudAssembly;
let app: App;
let data: Template;
let identity: Template;
let service: Template;
let ops: Template;

beforeAll(async () => {
  await bundleFunctions();
  app = newApp();
  stacks = createAftercare(app, configFromContext(app));
  assembly = app.synth();
  data = Template.fromStack(stacks.data);
  identity = Template.fromStack(stacks.identity);
  service = Template.fromStack(stacks.service);
  ops = Template.fromStack(stacks.ops);
}, 120_000);

const resources = (type: string, props?: Record<string, unknown>) =>
  service.findResources(type, props ? { Properties: props } : undefined) as Record<string, Resource>;

/** The user pool's triggers are deployed with the pool; every other function with the API. */
const isPoolTrigger = (spec: FunctionSpec) => spec.trigger.kind === 'identity-token';
const templateOf = (id: FunctionId) => (isPoolTrigger(allFunctions[id]) ? identity : service);

/** The Lambda function of a catalogue entry, found by the description the construct copies from it. */
const functionOf = (id: FunctionId): [string, Resource] =>
  only(
    templateOf(id).findResources('AWS::Lambda::Function', {
      Properties: { Description: allFunctions[id].description },
    }) as Record<string, Resource>,
  );

/** Every statement of every policy attached to a role. */
function statementsOfRole(roleId: string, template: Template = service): Statement[] {
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } }),
  ).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const roleOf = (id: FunctionId) => functionOf(id)[1].Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (id: FunctionId) => statementsOfRole(roleOf(id), templateOf(id));
const actionsOf = (id: FunctionId) => statementsOf(id).flatMap((s) => [s.Action].flat());
const statementWith = (id: FunctionId, action: string) =>
  statementsOf(id).filter((s) => [s.Action].flat().includes(action));

const environmentOf = (id: FunctionId) =>
  functionOf(id)[1].Properties.Environment.Variables as Record<string, unknown>;

describe('data stack', () => {
  it('builds the table with the key schema, indexes and TTL of the table definition', () => {
    // Prepare
    const indexes = Object.entries(tableDefinition.indexes).map(([name, ix]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' },
        { AttributeName: ix.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));

    // Act
    const [, table] = only(data.findResources('AWS::DynamoDB::GlobalTable') as Record<string, Resource>);

    // Assess
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes,
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('streams the item images the table definition asks for, and nothing when it asks for none', () => {
    // Prepare
    const stream = (tableDefinition as { stream?: string }).stream;

    // Act
    const [, table] = only(data.findResources('AWS::DynamoDB::GlobalTable') as Record<string, Resource>);

    // Assess
    expect(table.Properties.StreamSpecification).toEqual(stream ? { StreamViewType: stream } : undefined);
  });

  it('keeps the table: point-in-time recovery, deletion protection, retained on stack deletion', () => {
    // Act
    const [, table] = only(data.findResources('AWS::DynamoDB::GlobalTable') as Record<string, Resource>);

    // Assess
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true });
    expect(table.Properties.Replicas).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    ]);
  });
});

describe('functions', () => {
  it('deploys exactly one Lambda function per catalogue entry: pool triggers with the pool, the rest with the API', () => {
    // Act
    const descriptions = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Description as string);
    const elsewhere = [data, ops, Template.fromStack(stacks.keys)].map((t) => descriptions(t).length);

    // Assess: besides them only CDK's deploy-time handler of S3 notifications
    expect(descriptions(service).sort()).toEqual(
      [
        ...catalogue.filter((f) => !isPoolTrigger(f.spec)).map((f) => f.spec.description),
        'AWS CloudFormation handler for "Custom::S3BucketNotifications" resources (@aws-cdk/aws-s3)',
      ].sort(),
    );
    expect(descriptions(identity).sort()).toEqual(
      catalogue
        .filter((f) => isPoolTrigger(f.spec))
        .map((f) => f.spec.description)
        .sort(),
    );
    expect(elsewhere).toEqual([0, 0, 0]);
  });

  it.each(catalogue)(
    'runs $id on ARM64 with the newest Node.js runtime, its timeout, active tracing and JSON logs',
    ({ id, spec }) => {
      // Act
      const [, fn] = functionOf(id);

      // Assess
      expect(fn.Properties).toMatchObject({
        Runtime: newestNodeRuntime,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: spec.timeoutSeconds ?? 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
    },
  );

  it.each(catalogue)('gives $id exactly the variables of its environment schema', ({ id, spec }) => {
    // Act
    const names = Object.keys(environmentOf(id));

    // Assess: plus the runtime's source-map switch
    expect(names.sort()).toEqual([...envNames(spec.env), 'NODE_OPTIONS'].sort());
    expect(environmentOf(id).NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('binds the variables to the stage: its timezone, names, mail settings and resources', () => {
    // Prepare: every value any function gets, by variable
    const bound: Record<string, unknown> = {};
    for (const { id } of catalogue) Object.assign(bound, environmentOf(id));
    const [busId] = only(resources('AWS::Events::EventBus'));
    const [, morning] = only(resources('AWS::Scheduler::Schedule', { Name: 'morning.main' }));

    // Assess
    expect(bound).toMatchObject({
      TIME_ZONE: 'Asia/Shanghai',
      POWERTOOLS_SERVICE_NAME: 'aftercare',
      SLA_SCHEDULE_GROUP: 'aftercare-test-sla',
      MAIL_FROM: 'Aftercare Customer Service <service@aftercare.example>',
      SURVEY_REPLY_DOMAIN: 'reply.aftercare.example',
      EVENT_BUS_NAME: { Ref: busId },
      // Named per stage in the mail stack, so a second stage in the account gets its own.
      SES_CONFIGURATION_SET: 'aftercare-test',
      SLA_TIMER_ARN: getAtt(functionOf('sla-timer')[0], 'Arn'),
      // The one-time SLA schedules get the role and DLQ the named ones have.
      SLA_SCHEDULER_ROLE_ARN: morning.Properties.Target.RoleArn,
      SLA_TIMER_DLQ_ARN: morning.Properties.Target.DeadLetterConfig.Arn,
      // Links in mailboxes name the custom domain, which outlives the API behind it.
      PUBLIC_BASE_URL: 'https://api.aftercare.example',
    });
    expect(JSON.stringify(bound.TABLE_NAME)).toContain('Aftercare-test-Data');
    expect(JSON.stringify(bound.SURVEY_TOKEN_SECRET_ARN)).toContain('SurveyTokenSecret');
  });

  it('puts no secret in any function environment: the link key is passed by ARN and read at run time', () => {
    // Act
    const environments = catalogue.map(({ id }) => ({ id, env: JSON.stringify(environmentOf(id)) }));
    const secretVariables = catalogue.flatMap(({ id }) =>
      Object.keys(environmentOf(id))
        .filter((name) => /SECRET|KEY|TOKEN|PASSWORD/.test(name) && !name.endsWith('_ARN'))
        .map((name) => `${id}: ${name}`),
    );

    // Assess
    for (const { env } of environments) {
      expect(env).not.toContain('{{resolve:');
      expect(env).not.toMatch(/secretsmanager:.*SecretString/);
    }
    expect(secretVariables).toEqual([]);
  });

  it('gives each function its own retained log group with a retention period', () => {
    // Act
    const groups = Object.values(resources('AWS::Logs::LogGroup'));

    // Assess: one per function, plus the API access logs and one per workflow (its execution history)
    expect(groups).toHaveLength(
      catalogue.filter((f) => !isPoolTrigger(f.spec)).length +
        1 +
        functionsTriggeredBy('workflow-task').length,
    );
    for (const g of [...groups, ...Object.values(identity.findResources('AWS::Logs::LogGroup'))]) {
      expect(g.Properties.RetentionInDays).toBe(30);
      expect(g.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('bundles', () => {
  it('serves, from the OpenAPI function, the document the catalogue generates, with the server that answered', async () => {
    // Prepare
    Object.assign(process.env, {
      TIME_ZONE: 'Asia/Shanghai',
      POWERTOOLS_SERVICE_NAME: 'aftercare',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const bundle = pathToFileURL(join(functionAssetDir('openapi'), 'index.mjs')).href;
    const { handler } = (await import(bundle)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const event = {
      version: '2.0',
      routeKey: 'GET /openapi.json',
      rawPath: '/openapi.json',
      rawQueryString: '',
      headers: { host: 'api.stage.example' },
      requestContext: { http: { method: 'GET', path: '/openapi.json' }, routeKey: 'GET /openapi.json' },
      isBase64Encoded: false,
    };

    // Act
    const answer = await handler(event, lambdaContext('openapi'));

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(
      openApiDocument(allRoutes, {
        servers: [
          {
            url: 'https://api.stage.example',
            description: 'this deployment (production or a staging stage)',
            internal: false,
          },
        ],
      }),
    );
  });
});

describe('grants follow each function’s declared access', () => {
  const itemActions = ['GetItem', 'Query', 'Scan', 'BatchGetItem', ...TABLE_WRITE_ACTIONS, 'DeleteItem'].map(
    (a) => (a.startsWith('dynamodb:') ? a : `dynamodb:${a}`),
  );
  const withAccess = (pick: (a: FunctionSpec['access']) => unknown) =>
    catalogue.filter(({ spec }) => pick(spec.access) !== undefined).map(({ id }) => id);
  const without = (pick: (a: FunctionSpec['access']) => unknown) =>
    catalogue.filter(({ spec }) => pick(spec.access) === undefined).map(({ id }) => id);
  const readers = catalogue.filter(({ spec }) => spec.access.table === 'read').map(({ id }) => id);
  const writers = catalogue.filter(({ spec }) => spec.access.table === 'write').map(({ id }) => id);

  it('covers the access kinds the catalogue uses today', () => {
    expect(readers).toEqual(expect.arrayContaining(['case-read', 'survey-staff']));
    expect(writers).toEqual(expect.arrayContaining(['complaints-api', 'complaints-workflow']));
    expect(withAccess((a) => a.mail).sort()).toEqual([
      'complaints-api',
      'complaints-workflow',
      'parts-alerts',
      'parts-jobs',
      'sla-timer',
      'survey-dispatch',
    ]);
    expect(withAccess((a) => a.timers).sort()).toEqual([
      'complaints-api',
      'complaints-workflow',
      'sla-clock',
      'sla-timer',
      'warranty-api',
    ]);
    expect(withAccess((a) => a.workflow).sort()).toEqual([
      'complaints-api',
      'complaints-workflow',
      'complaints-workflow-start',
    ]);
    expect(withAccess((a) => a.bus)).toEqual(['event-relay']);
    expect(withAccess((a) => a.inboundMail)).toEqual(['survey-inbound']);
    expect(withAccess((a) => a.users)).toEqual(['identity-token']);
  });

  it.each(readers)(
    'lets the read-only %s get and query the table and its indexes, and write nothing',
    (id) => {
      // Act
      const read = statementWith(id, 'dynamodb:Query');
      const actions = actionsOf(id);

      // Assess
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(JSON.stringify(read)).toContain('/index/gsi1');
      expect(actions.filter((a) => (TABLE_WRITE_ACTIONS as readonly string[]).includes(a))).toEqual([]);
    },
  );

  it.each(writers)('lets %s put, update and condition-check items', (id) => {
    expect(actionsOf(id)).toEqual(expect.arrayContaining([...TABLE_WRITE_ACTIONS, 'dynamodb:Query']));
  });

  it.each(without((a) => a.table))('gives %s, which declares no table access, no item access', (id) => {
    expect(actionsOf(id).filter((a) => itemActions.includes(a))).toEqual([]);
  });

  it.each(withAccess((a) => a.mail))(
    'lets %s send mail through the SES identity and the configuration set, from the service address',
    (id) => {
      // Act
      const [send, ...more] = statementWith(id, 'ses:SendEmail');

      // Assess: both resources, since SES authorizes a send against each (aws/aws-cdk#34402)
      expect(more).toEqual([]);
      expect(send?.Action).toBe('ses:SendEmail');
      expect([send?.Resource].flat().sort()).toEqual([
        'arn:aws:ses:eu-west-1:111111111111:configuration-set/aftercare-test',
        'arn:aws:ses:eu-west-1:111111111111:identity/aftercare.example',
      ]);
      expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'service@aftercare.example' } });
    },
  );

  it.each(withAccess((a) => a.mail))('gives %s the configuration set the grant names', (id) => {
    expect(environmentOf(id).SES_CONFIGURATION_SET).toBe('aftercare-test');
  });

  it.each(withAccess((a) => a.surveyKey))('lets %s read the survey link key, and only read it', (id) => {
    // Act
    const statements = statementsOf(id).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('secretsmanager:')),
    );

    // Assess: GetSecretValue on that one secret (current and previous versions alike)
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statements[0]?.Resource)).toContain('SurveyTokenSecret');
    expect(JSON.stringify(statements[0]?.Resource)).toEqual(
      JSON.stringify(environmentOf(id).SURVEY_TOKEN_SECRET_ARN),
    );
  });

  it.each(without((a) => a.surveyKey))('does not let %s read secrets', (id) => {
    expect(actionsOf(id).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it.each(without((a) => a.mail))('does not let %s send mail', (id) => {
    expect(actionsOf(id).filter((a) => a.startsWith('ses:'))).toEqual([]);
  });

  it('lets the SLA clock create and delete schedules in the SLA group and pass only the Scheduler role', () => {
    // Prepare
    const [, morning] = only(resources('AWS::Scheduler::Schedule', { Name: 'morning.main' }));

    // Act
    const [manage] = statementWith('sla-clock', 'scheduler:CreateSchedule');
    const [passRole] = statementWith('sla-clock', 'iam:PassRole');

    // Assess
    expect([manage?.Action].flat().sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    expect(JSON.stringify(manage?.Resource)).toContain(':schedule/aftercare-test-sla/*');
    expect(passRole?.Resource).toEqual(morning.Properties.Target.RoleArn);
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  });

  it('lets the SLA timer only delete schedules of the SLA group, never create or pass a role', () => {
    // Act
    const actions = actionsOf('sla-timer');
    const [remove] = statementWith('sla-timer', 'scheduler:DeleteSchedule');

    // Assess
    expect(actions.filter((a) => a.startsWith('scheduler:'))).toEqual(['scheduler:DeleteSchedule']);
    expect(JSON.stringify(remove?.Resource)).toContain(':schedule/aftercare-test-sla/*');
    expect(actions).not.toContain('iam:PassRole');
  });

  it.each(without((a) => a.timers))('does not let %s touch schedules or pass roles', (id) => {
    expect(actionsOf(id).filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual([]);
  });

  it.each(catalogue.map(({ id, spec }) => ({ id, publishes: spec.access.bus === 'publish' })))(
    'lets $id put events on the bus only if it declares so ($publishes)',
    ({ id, publishes }) => {
      // Prepare
      const [busId] = only(resources('AWS::Events::EventBus'));

      // Act
      const put = statementWith(id, 'events:PutEvents');

      // Assess
      expect(put).toEqual(publishes ? [expect.objectContaining({ Resource: getAtt(busId, 'Arn') })] : []);
    },
  );

  it('lets the survey reply reader get objects under its prefix of the inbound bucket, and nobody else', () => {
    // Prepare
    const [bucketId] = only(resources('AWS::S3::Bucket'));

    // Act
    const readers = catalogue.filter(({ id }) => actionsOf(id).some((a) => a.startsWith('s3:')));
    const [get] = statementWith('survey-inbound', 's3:GetObject');

    // Assess
    expect(readers.map((r) => r.id)).toEqual(['survey-inbound']);
    expect(get?.Resource).toEqual({ 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/survey-replies/*']] });
  });

  /**
   * Every action a function's role may use, from what the code calls: its declared access, and what its
   * trigger makes Lambda do on its behalf (poll a queue or a stream, park failures in a queue).
   */
  const usedActions = (spec: FunctionSpec): string[] => {
    const a = spec.access;
    const park = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
    const byTrigger: Record<FunctionSpec['trigger']['kind'], string[]> = {
      http: [],
      events: [
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ],
      stream: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        ...park,
      ],
      schedule: park,
      timers: park,
      'inbound-mail': park,
      // Cognito invokes it synchronously, under the permission the pool's trigger adds.
      'identity-token': [],
      // Step Functions invokes it synchronously, under the state machine's role.
      'workflow-task': [],
    };
    return [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      ...(a.table ? ['dynamodb:GetItem', 'dynamodb:Query'] : []),
      ...(a.table === 'write' ? TABLE_WRITE_ACTIONS : []),
      ...(a.bus ? ['events:PutEvents'] : []),
      ...(a.timers ? TIMER_ACTIONS[a.timers] : []),
      ...(a.timers === 'manage' ? ['iam:PassRole'] : []),
      ...(a.mail ? ['ses:SendEmail'] : []),
      ...(a.inboundMail ? ['s3:GetObject'] : []),
      ...(a.surveyKey ? ['secretsmanager:GetSecretValue'] : []),
      ...(a.users ? ['cognito-idp:AdminGetUser'] : []),
      ...(a.workflow?.may ?? []).flatMap((p) => WORKFLOW_ACTIONS[p]),
      ...byTrigger[spec.trigger.kind],
    ];
  };

  it.each(catalogue)('grants $id only actions its code or its trigger uses', ({ id, spec }) => {
    // Act
    const granted = new Set(actionsOf(id));

    // Assess
    expect([...granted].filter((a) => !usedActions(spec).includes(a))).toEqual([]);
  });

  it('never grants Scan nor a whole service', () => {
    // Act
    const all = Object.values(resources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => [s.Action].flat()),
    );

    // Assess
    expect(all).not.toContain('dynamodb:Scan');
    expect(all.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });
});

describe('the complaint investigation workflow', () => {
  const [taskFunction] = functionsTriggeredBy('workflow-task').map(([id]) => id);
  const stateMachine = () => only(resources('AWS::StepFunctions::StateMachine'));
  const machineRef = () => ({ Ref: stateMachine()[0] });
  const machineRoleId = () => stateMachine()[1].Properties.RoleArn['Fn::GetAtt'][0] as string;
  const stepFunctionsActions = (id: FunctionId) => actionsOf(id).filter((a) => a.startsWith('states:'));

  it('deploys one state machine from the ASL file, its task placeholder bound to the task function', () => {
    // Act
    const [, machine] = stateMachine();

    // Assess
    expect(taskFunction).toBe('complaints-workflow');
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(machine.Properties.DefinitionS3Location).toBeDefined();
    expect(machine.Properties.DefinitionSubstitutions).toEqual({
      ComplaintTaskFunctionArn: getAtt(functionOf('complaints-workflow')[0], 'Arn'),
    });
  });

  it('logs every execution event with its data to a retained log group, and traces with X-Ray', () => {
    // Act
    const [, machine] = stateMachine();
    const logGroupId = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup
      .LogGroupArn['Fn::GetAtt'][0] as string;
    const logGroup = resources('AWS::Logs::LogGroup')[logGroupId];

    // Assess
    expect(machine.Properties.LoggingConfiguration).toMatchObject({
      Level: 'ALL',
      IncludeExecutionData: true,
    });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(logGroup?.DeletionPolicy).toBe('Retain');
    expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('alarms on the first failed and the first timed-out execution, through the alert topic', () => {
    // Act
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'))
      .filter((a) => a.Properties.Namespace === 'AWS/States')
      .map((a) => ({
        metric: a.Properties.MetricName,
        threshold: a.Properties.Threshold,
        machine: a.Properties.Dimensions[0].Value,
        paged: (a.Properties.AlarmActions ?? []).length > 0,
      }))
      .sort((a, b) => a.metric.localeCompare(b.metric));

    // Assess
    expect(alarms).toEqual([
      { metric: 'ExecutionsFailed', threshold: 1, machine: machineRef(), paged: true },
      { metric: 'ExecutionsTimedOut', threshold: 1, machine: machineRef(), paged: true },
    ]);
  });

  it('lets only the state machine role invoke the task function, and only its unqualified ARN', () => {
    // Prepare
    const taskArn = getAtt(functionOf('complaints-workflow')[0], 'Arn');

    // Act
    const invokers = Object.entries(resources('AWS::IAM::Policy')).flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'))
        .filter((st) => JSON.stringify(st.Resource).includes(JSON.stringify(taskArn)))
        .map((st) => ({ roles: p.Properties.Roles, resource: st.Resource })),
    );
    const permissions = Object.values(resources('AWS::Lambda::Permission')).filter(
      (perm) => JSON.stringify(perm.Properties.FunctionName) === JSON.stringify(taskArn),
    );

    // Assess
    expect(invokers).toEqual([{ roles: [{ Ref: machineRoleId() }], resource: taskArn }]);
    expect(permissions).toEqual([]);
  });

  it('lets the state machine role do nothing but invoke its task function, log and trace', () => {
    // Act
    const actions = statementsOfRole(machineRoleId())
      .flatMap((st) => [st.Action].flat())
      .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));

    // Assess
    expect(actions).toEqual(['lambda:InvokeFunction']);
  });

  it('lets only the functions that complete steps answer task tokens, and only of this state machine', () => {
    // Act
    const responders = catalogue
      .filter(({ id }) => stepFunctionsActions(id).some((a) => a.startsWith('states:SendTask')))
      .map(({ id }) => id);
    const statements = responders.flatMap((id) => statementWith(id, 'states:SendTaskSuccess'));

    // Assess: the API completes steps; the task function answers a step completed already (a replay)
    expect(responders.sort()).toEqual(['complaints-api', 'complaints-workflow']);
    for (const st of statements) {
      expect([st.Action].flat().sort()).toEqual([
        'states:SendTaskFailure',
        'states:SendTaskHeartbeat',
        'states:SendTaskSuccess',
      ]);
      expect(st.Resource).toEqual(machineRef());
    }
    expect(statements).toHaveLength(2);
    expect(stepFunctionsActions('complaints-api').sort()).toEqual([...WORKFLOW_ACTIONS.respond].sort());
  });

  it('lets only the starter start executions, and only of this state machine', () => {
    // Act
    const starters = catalogue
      .filter(({ id }) => stepFunctionsActions(id).includes('states:StartExecution'))
      .map(({ id }) => id);
    const [start, ...more] = statementWith('complaints-workflow-start', 'states:StartExecution');

    // Assess
    expect(starters).toEqual(['complaints-workflow-start']);
    expect(more).toEqual([]);
    expect(start?.Action).toBe('states:StartExecution');
    expect(start?.Resource).toEqual(machineRef());
    expect(stepFunctionsActions('complaints-workflow-start')).toEqual(['states:StartExecution']);
    expect(environmentOf('complaints-workflow-start').COMPLAINT_WORKFLOW_ARN).toEqual(machineRef());
  });
});

describe('HTTP API', () => {
  it('creates one route per catalogue route', () => {
    // Act
    const keys = Object.values(resources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);

    // Assess
    expect(keys.sort()).toEqual(allRoutes.map((r) => r.key).sort());
  });

  it.each(allRoutes.map((r) => ({ key: r.key, fn: r.fn, isPublic: r.roles === 'public' })))(
    'sends $key to $fn, guarded by the JWT authorizer unless the catalogue marks it public',
    ({ key, fn, isPublic }) => {
      // Prepare
      const [authorizerId] = only(resources('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' }));

      // Act
      const [, route] = only(resources('AWS::ApiGatewayV2::Route', { RouteKey: key }));
      const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
      const integration = resources('AWS::ApiGatewayV2::Integration')[integrationId.Ref];

      // Assess
      expect(integration?.Properties.IntegrationUri).toEqual(getAtt(functionOf(fn)[0], 'Arn'));
      if (isPublic) {
        expect(route.Properties.AuthorizationType).toBe('NONE');
        expect(route.Properties.AuthorizerId).toBeUndefined();
      } else {
        expect(route.Properties).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: authorizerId },
        });
      }
    },
  );

  it('integrates each HTTP function once, however many routes it serves', () => {
    // Act
    const targets = Object.values(resources('AWS::ApiGatewayV2::Integration')).map(
      (i) => i.Properties.IntegrationUri['Fn::GetAtt'][0],
    );

    // Assess
    expect(targets.sort()).toEqual(
      functionsTriggeredBy('http')
        .map(([id]) => functionOf(id)[0])
        .sort(),
    );
  });

  it('lets API Gateway invoke each HTTP function through one permission, from this API only', () => {
    // Act
    const permissions = Object.values(
      resources('AWS::Lambda::Permission', { Principal: 'apigateway.amazonaws.com' }),
    );
    const apiId = only(resources('AWS::ApiGatewayV2::Api'))[0];

    // Assess: one per function (a stack holds 500 resources; one per route would not fit)
    expect(permissions.map((p) => p.Properties.FunctionName['Fn::GetAtt'][0]).sort()).toEqual(
      functionsTriggeredBy('http')
        .map(([id]) => functionOf(id)[0])
        .sort(),
    );
    for (const p of permissions) {
      expect(JSON.stringify(p.Properties.SourceArn)).toContain(JSON.stringify({ Ref: apiId }));
      expect(JSON.stringify(p.Properties.SourceArn)).toContain('/*/*');
    }
    expect(Object.keys(service.toJSON().Resources).length).toBeLessThan(500);
  });

  it('throttles the stage with the catalogue limits and writes access logs', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: THROTTLE.rateLimit,
        ThrottlingBurstLimit: THROTTLE.burstLimit,
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives every public route its own lower throttle, and no other route one', () => {
    // Prepare
    const publicKeys = allRoutes.filter((r) => r.roles === 'public').map((r) => r.key);

    // Act
    const [, stage] = only(resources('AWS::ApiGatewayV2::Stage'));
    const settings = stage.Properties.RouteSettings as Record<string, Record<string, number>>;

    // Assess
    expect(publicKeys).toEqual(
      expect.arrayContaining(['GET /survey/{token}', 'POST /survey/{token}', 'GET /openapi.json']),
    );
    expect(Object.keys(settings).sort()).toEqual([...publicKeys].sort());
    for (const key of publicKeys) {
      expect(settings[key]).toEqual({
        ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit,
      });
    }
    expect(PUBLIC_ROUTE_THROTTLE.rateLimit).toBeLessThan(THROTTLE.rateLimit);
    // Route settings may only name routes that exist when the stage is updated.
    const routeIds = Object.entries(resources('AWS::ApiGatewayV2::Route'))
      .filter(([, r]) => publicKeys.includes(r.Properties.RouteKey))
      .map(([id]) => id);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('answers CORS for the stage origins only, with only the methods the routes use', () => {
    // Act
    const [, api] = only(resources('AWS::ApiGatewayV2::Api'));
    const cors = api.Properties.CorsConfiguration;

    // Assess
    expect(cors.AllowOrigins).toEqual(TEST_STAGE.corsOrigins);
    expect([...cors.AllowMethods].sort()).toEqual([...new Set(allRoutes.map((r) => r.method))].sort());
    expect(JSON.stringify(cors)).not.toContain('*');
  });

  it('maps the stage to the custom domain with its certificate', () => {
    // Act
    const [domainId, domain] = only(resources('AWS::ApiGatewayV2::DomainName'));
    const [, mapping] = only(resources('AWS::ApiGatewayV2::ApiMapping'));
    const [stageId, stage] = only(resources('AWS::ApiGatewayV2::Stage'));

    // Assess
    expect(domain.Properties).toMatchObject({
      DomainName: 'api.aftercare.example',
      DomainNameConfigurations: [
        expect.objectContaining({
          CertificateArn: TEST_STAGE.apiDomain.certificateArn,
          EndpointType: 'REGIONAL',
        }),
      ],
    });
    expect(mapping.Properties).toMatchObject({
      DomainName: { Ref: domainId },
      Stage: stage.Properties.StageName,
    });
    expect(mapping.DependsOn).toContain(stageId);
  });

  it('keeps users in a retained pool without self sign-up, with one group per role', () => {
    // Act
    const groups = Object.values(identity.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    const [, pool] = only(identity.findResources('AWS::Cognito::UserPool') as Record<string, Resource>);

    // Assess
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
      Policies: { PasswordPolicy: expect.objectContaining({ MinimumLength: 12, RequireSymbols: true }) },
    });
    expect(groups.sort()).toEqual([...roles].sort());
  });
});

describe('staff MFA (the pool trigger)', () => {
  const poolTriggers = functionsTriggeredBy('identity-token').map(([id]) => id);
  const pool = () => only(identity.findResources('AWS::Cognito::UserPool') as Record<string, Resource>);

  it('takes the pool trigger from the catalogue: one function', () => {
    expect(poolTriggers).toEqual(['identity-token']);
  });

  it('keeps TOTP optional for the pool and runs the catalogue function as its pre token generation trigger (V2)', () => {
    // Act
    const [, userPool] = pool();

    // Assess: V2, so the answer shapes the access token as well as the ID token
    expect(userPool.Properties).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      LambdaConfig: {
        PreTokenGenerationConfig: {
          LambdaArn: getAtt(functionOf('identity-token')[0], 'Arn'),
          LambdaVersion: 'V2_0',
        },
      },
    });
  });

  it('lets only Cognito, for this pool, invoke the trigger', () => {
    // Prepare
    const [poolId] = pool();
    const [fnId] = functionOf('identity-token');

    // Act
    const permissions = Object.values(
      identity.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: getAtt(fnId, 'Arn') },
      }) as Record<string, Resource>,
    );

    // Assess
    expect(permissions.map((p) => p.Properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: getAtt(poolId, 'Arn'),
      }),
    ]);
  });

  it('lets the trigger AdminGetUser on this pool and nothing else beyond its logs and traces', () => {
    // Prepare
    const [poolId] = pool();

    // Act
    const granted = statementsOf('identity-token').filter(
      (s) => ![s.Action].flat().every((a) => a.startsWith('logs:') || a.startsWith('xray:')),
    );

    // Assess
    expect(granted).toEqual([
      { Effect: 'Allow', Action: 'cognito-idp:AdminGetUser', Resource: getAtt(poolId, 'Arn') },
    ]);
  });

  it('grants the pool read in a policy the function does not wait for (the pool waits for the function)', () => {
    // Prepare
    const [fnId, fn] = functionOf('identity-token');
    const [, userPool] = pool();

    // Act
    const [policyId] = only(
      identity.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: { Statement: [Match.objectLike({ Action: 'cognito-idp:AdminGetUser' })] },
        },
      }) as Record<string, Resource>,
    );

    // Assess: no cycle pool → function → policy → pool
    expect(JSON.stringify(userPool.Properties.LambdaConfig)).toContain(fnId);
    expect(fn.DependsOn ?? []).not.toContain(policyId);
  });

  it('gives no other function access to users', () => {
    const readers = catalogue.filter(({ id }) => actionsOf(id).some((a) => a.startsWith('cognito-idp:')));
    expect(readers.map((r) => r.id)).toEqual(poolTriggers);
  });

  it.each(poolTriggers)('gives %s at most the 5 seconds Cognito waits for a trigger', (id) => {
    expect(functionOf(id)[1].Properties.Timeout).toBeLessThanOrEqual(5);
  });

  it('acknowledges the optional pool MFA (COG2) with what enforces it for staff now', () => {
    // Act
    const [reason] = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.endsWith('AwsSolutions-COG2'))
      .map(([, r]) => r);

    // Assess
    expect(reason).toMatch(/pre token generation trigger/);
    expect(reason).not.toMatch(/not built/);
  });
});

describe('event consumers', () => {
  const consumers = functionsTriggeredBy('events').map(([id, spec]) => ({ id, spec }));

  /** The queue a rule delivers to, and the DLQ of what it cannot deliver. */
  function ruleNamed(description: string) {
    const [, rule] = only(resources('AWS::Events::Rule', { Description: description }));
    const [target, ...more] = rule.Properties.Targets as {
      Arn: { 'Fn::GetAtt': [string, string] };
      DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string, string] } };
      RetryPolicy?: unknown;
    }[];
    expect(more).toEqual([]);
    return { rule, target };
  }

  it.each(allEventRules)(
    'delivers rule $name with exactly its declared pattern into the queue of $target',
    (declared) => {
      // Act
      const { rule, target } = ruleNamed(declared.description);
      const queueId = target?.Arn['Fn::GetAtt'][0] ?? '';
      const [, mapping] = only(
        resources('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: functionOf(declared.target)[0] },
        }),
      );

      // Assess
      expect(rule.Properties.EventPattern).toEqual(declared.pattern);
      expect(mapping.Properties.EventSourceArn).toEqual(getAtt(queueId, 'Arn'));
      expect(target?.RetryPolicy).toEqual({
        MaximumRetryAttempts: queueDelivery.targetRetryAttempts,
        MaximumEventAgeInSeconds: queueDelivery.maxAgeSeconds,
      });
      const undeliverable = target?.DeadLetterConfig?.Arn['Fn::GetAtt'][0] ?? '';
      expect(resources('AWS::SQS::Queue')[undeliverable]).toBeDefined();
      expect(undeliverable).not.toBe(queueId);
    },
  );

  it.each(consumers)(
    'feeds $id from one encrypted queue with a DLQ, reporting partial batch failures',
    ({ id, spec }) => {
      // Act
      const [, mapping] = only(
        resources('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionOf(id)[0] } }),
      );
      const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
      const queue = resources('AWS::SQS::Queue')[queueId];
      const targetedBy = spec.trigger.rules.map((r) => ruleNamed(r.description).target?.Arn['Fn::GetAtt'][0]);

      // Assess
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(new Set(targetedBy)).toEqual(new Set([queueId]));
      expect(queue?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: expect.anything(),
          maxReceiveCount: queueDelivery.maxReceiveCount,
        },
      });
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (spec.timeoutSeconds ?? 10));
      service.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    },
  );

  it('alarms on every dead-letter queue as soon as a message waits', () => {
    // Act: every queue but the consumers' own is a dead-letter queue
    const queues = Object.entries(resources('AWS::SQS::Queue'));
    const deadLetterQueues = queues.filter(([, q]) => !q.Properties.RedrivePolicy).map(([id]) => id);
    const alarmed = Object.values(
      resources('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }),
    ).map(
      (a) =>
        (a.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[])[0]?.Value[
          'Fn::GetAtt'
        ][0],
    );

    // Assess
    expect(deadLetterQueues.length).toBeGreaterThan(consumers.length);
    expect(alarmed.sort()).toEqual(deadLetterQueues.sort());
  });
});

describe('schedules', () => {
  function scheduleNamed(name: string) {
    return only(resources('AWS::Scheduler::Schedule', { Name: name }))[1].Properties;
  }

  it('runs the survey morning run at 09:00 stage time in the jobs group', () => {
    expect(scheduleNamed('survey-morning-run')).toMatchObject({
      GroupName: 'aftercare-test-jobs',
      ScheduleExpression: 'cron(0 9 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: getAtt(functionOf('survey-dispatch')[0], 'Arn'),
        Input: '{}',
        RetryPolicy: {
          MaximumRetryAttempts: scheduleDelivery.maximumRetryAttempts,
          MaximumEventAgeInSeconds: scheduleDelivery.maximumEventAgeSeconds,
        },
        DeadLetterConfig: { Arn: expect.anything() },
      },
    });
  });

  it("runs the default branch's next-morning priority at 08:00 stage time in the SLA group", () => {
    expect(scheduleNamed('morning.main')).toMatchObject({
      GroupName: 'aftercare-test-sla',
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: {
        Arn: getAtt(functionOf('sla-timer')[0], 'Arn'),
        Input: '{"kind":"morning","branchId":"main"}',
        DeadLetterConfig: { Arn: expect.anything() },
      },
    });
  });

  it('creates exactly the named schedules the catalogue declares, after their groups', () => {
    // Prepare
    const declared = catalogue.flatMap(({ spec }) =>
      spec.trigger.kind === 'schedule' || spec.trigger.kind === 'timers'
        ? spec.trigger.schedules.map((s) => s.name)
        : [],
    );

    // Act
    const schedules = Object.values(resources('AWS::Scheduler::Schedule'));
    const groups = Object.entries(resources('AWS::Scheduler::ScheduleGroup'));

    // Assess
    expect(schedules.map((s) => s.Properties.Name).sort()).toEqual(declared.sort());
    expect(groups.map(([, g]) => g.Properties.Name).sort()).toEqual([
      'aftercare-test-jobs',
      'aftercare-test-sla',
    ]);
    for (const s of schedules) {
      const [groupId] = groups.find(([, g]) => g.Properties.Name === s.Properties.GroupName) ?? [];
      expect(s.DependsOn).toContain(groupId);
    }
  });

  it('names every schedule and group as the local runtime does (namedSchedules, one declaration)', () => {
    // Prepare: what infra/local/system.ts creates, under its own prefix, and what the stage deploys
    const local = catalogue.flatMap(({ spec }) => namedSchedules('aftercare', spec));
    const cloud = catalogue.flatMap(({ spec }) => namedSchedules('aftercare-test', spec));

    // Act
    const deployed = Object.values(resources('AWS::Scheduler::Schedule')).map((s) => ({
      name: s.Properties.Name,
      group: s.Properties.GroupName,
      expression: s.Properties.ScheduleExpression,
      input: JSON.parse(s.Properties.Target.Input),
    }));

    // Assess: the same names (morning.main among them, not a generated one), groups differing by prefix only
    const strip = (group: string, prefix: string) => group.slice(prefix.length);
    expect(local.map((s) => s.name)).toEqual(expect.arrayContaining(['survey-morning-run', 'morning.main']));
    expect(deployed.map((d) => ({ ...d, group: strip(d.group, 'aftercare-test') })).sort(byName)).toEqual(
      local
        .map((l) => ({
          name: l.name,
          group: strip(l.group, 'aftercare'),
          expression: l.expression,
          input: l.input,
        }))
        .sort(byName),
    );
    expect(cloud.map((c) => c.group).sort()).toEqual(deployed.map((d) => d.group).sort());
  });

  it.each(['survey-morning-run', 'morning.main'])(
    'lets Scheduler, for %s, only invoke its function and write to its DLQ, from its group',
    (name) => {
      // Act
      const target = scheduleNamed(name).Target;
      const roleId = target.RoleArn['Fn::GetAtt'][0] as string;
      const role = resources('AWS::IAM::Role')[roleId];
      const statements = statementsOfRole(roleId);

      // Assess
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': expect.anything(),
            },
          },
        }),
      ]);
      expect(statements.map((s) => [[s.Action].flat().sort(), s.Resource])).toEqual([
        [['lambda:InvokeFunction'], target.Arn],
        [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], target.DeadLetterConfig.Arn],
      ]);
    },
  );
});

describe('asynchronous invocations', () => {
  const asyncKinds = ['schedule', 'timers', 'inbound-mail'];
  const invokedAsync = catalogue
    .filter(({ spec }) => asyncKinds.includes(spec.trigger.kind))
    .map(({ id }) => id);

  it('knows which functions are invoked asynchronously', () => {
    expect(invokedAsync.sort()).toEqual([
      'measures-jobs',
      'parts-jobs',
      'sla-timer',
      'survey-dispatch',
      'survey-inbound',
    ]);
  });

  it.each(invokedAsync)('parks what %s still fails after Lambda retries in an alarmed queue', (id) => {
    // Act
    const [, config] = only(
      resources('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: functionOf(id)[0] } }),
    );
    const queueId = config.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;

    // Assess
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: asyncInvokeDelivery.retryAttempts,
      MaximumEventAgeInSeconds: asyncInvokeDelivery.maxEventAgeSeconds,
    });
    expect(resources('AWS::SQS::Queue')[queueId]).toBeDefined();
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
    });
  });

  it('configures no failure destination for functions invoked synchronously or by pollers', () => {
    expect(Object.keys(resources('AWS::Lambda::EventInvokeConfig'))).toHaveLength(invokedAsync.length);
  });
});

describe('inbound mail', () => {
  it('stores replies to the reply domain under survey-replies/ and notifies survey-inbound of them', () => {
    // Prepare
    const [bucketId] = only(resources('AWS::S3::Bucket'));

    // Act
    const [, rule] = only(resources('AWS::SES::ReceiptRule'));
    const [, notifications] = only(resources('Custom::S3BucketNotifications'));

    // Assess
    expect(rule.Properties.Rule).toMatchObject({
      Recipients: ['reply.aftercare.example'],
      ScanEnabled: true,
      TlsPolicy: 'Require',
      Actions: [{ S3Action: { BucketName: { Ref: bucketId }, ObjectKeyPrefix: 'survey-replies/' } }],
    });
    expect(notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'survey-replies/' }] } },
        LambdaFunctionArn: getAtt(functionOf('survey-inbound')[0], 'Arn'),
      },
    ]);
  });

  it('keeps the raw mail in a retained, encrypted, private bucket', () => {
    // Act
    const [, bucket] = only(resources('AWS::S3::Bucket'));

    // Assess
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: expect.anything(),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });
});

describe('outbox relay', () => {
  const relays = functionsTriggeredBy('stream').map(([id]) => id);

  it.each(relays)(
    'feeds %s only the new items with an outbox from the table stream, in order, with a DLQ',
    (id) => {
      // Act
      const [, mapping] = only(
        resources('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionOf(id)[0] } }),
      );

      // Assess
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      expect(JSON.stringify(mapping.Properties.EventSourceArn)).toMatch(/StreamArn/);
      expect(
        mapping.Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
      ).toEqual([outboxStreamFilter]);
    },
  );

  it.each(relays)(
    'retries a failing record for %s until it ages out, while the stream still holds it for the redrive',
    (id) => {
      // Act
      const [, mapping] = only(
        resources('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionOf(id)[0] } }),
      );

      // Assess: no attempt limit; the age limit from infra/delivery.ts, inside the 24 h stream retention
      expect(mapping.Properties).toMatchObject({
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: streamDelivery.maxRecordAgeSeconds,
      });
      expect(streamDelivery.maxRecordAgeSeconds).toBeLessThan(streamDelivery.streamRetentionSeconds);
      const queueId = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
      service.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
      });
    },
  );

  it.each(relays)('pages when %s falls behind the stream (iterator age), not only when it throws', (id) => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionOf(id)[0] } }],
      Threshold: streamDelivery.iteratorAgeAlarmSeconds * 1000,
    });
  });
});

describe('alarms', () => {
  const allStacks = () => [
    stacks.alerts,
    stacks.mail,
    stacks.data,
    stacks.identity,
    stacks.keys,
    stacks.service,
    stacks.ops,
  ];

  it('pages through the alert topic from every alarm of every stack', () => {
    // Prepare
    const [topicId] = only(
      Template.fromStack(stacks.alerts).findResources('AWS::SNS::Topic') as Record<string, Resource>,
    );

    // Act
    const alarms = allStacks().flatMap((stack) =>
      Object.entries(
        Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
      ).map(([id, alarm]) => ({
        id: `${stack.stackName}/${id}`,
        actions: JSON.stringify(alarm.Properties.AlarmActions ?? []),
      })),
    );

    // Assess
    expect(alarms.length).toBeGreaterThan(catalogue.length);
    for (const { id, actions } of alarms) expect(actions, id).toContain(topicId);
  });

  it('sends the alert topic, encrypted with a key CloudWatch may use, to the stage alert address', () => {
    // Act
    const alerts = Template.fromStack(stacks.alerts);

    // Assess
    alerts.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@aftercare.example',
    });
    alerts.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    alerts.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });
});

describe('mail', () => {
  it('sends with a configuration set named per stage, the default of the domain identity', () => {
    // Act
    const mailTemplate = Template.fromStack(stacks.mail);

    // Assess
    mailTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'aftercare-test',
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    mailTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'aftercare.example',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it.each([
    ['Reputation.BounceRate', 0.04],
    ['Reputation.ComplaintRate', 0.0008],
  ])('alarms on the account %s below the rate SES reviews accounts at', (metric, threshold) => {
    Template.fromStack(stacks.mail).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: metric,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('lets Cognito mail invitations and codes through SES from the verified domain', () => {
    // Act
    const [, pool] = only(identity.findResources('AWS::Cognito::UserPool') as Record<string, Resource>);

    // Assess
    expect(pool.Properties.EmailConfiguration).toEqual({
      EmailSendingAccount: 'DEVELOPER',
      From: 'Aftercare <no-reply@aftercare.example>',
      SourceArn: 'arn:aws:ses:eu-west-1:111111111111:identity/aftercare.example',
      ConfigurationSet: 'aftercare-test',
    });
  });

  it('deploys the mail identity before the user pool and the functions that send through it', () => {
    expect(stacks.identity.dependencies).toContain(stacks.mail);
    expect(stacks.service.dependencies).toContain(stacks.mail);
  });

  it('lets SES store replies in the inbound bucket only for its own receipt rule of this account', () => {
    // Prepare
    const [bucketId] = only(resources('AWS::S3::Bucket'));
    const [ruleSetId] = only(resources('AWS::SES::ReceiptRuleSet'));
    const [, rule] = only(resources('AWS::SES::ReceiptRule'));

    // Act
    const [, policy] = only(resources('AWS::S3::BucketPolicy'));
    const sesStatements = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) =>
      JSON.stringify(s).includes('ses.amazonaws.com'),
    );

    // Assess
    expect(sesStatements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/survey-replies/*']] },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '111111111111',
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:aws:ses:eu-west-1:111111111111:receipt-rule-set/',
                  { Ref: ruleSetId },
                  `:receipt-rule/${rule.Properties.Rule.Name}`,
                ],
              ],
            },
          },
        },
      }),
    ]);
  });
});

describe('ops stack', () => {
  it('puts every alarm and every dead-letter queue of the service on one dashboard', () => {
    // Prepare
    const alarmIds = Object.keys(resources('AWS::CloudWatch::Alarm'));
    const deadLetterIds = Object.entries(resources('AWS::SQS::Queue'))
      .filter(([, q]) => !q.Properties.RedrivePolicy)
      .map(([id]) => id);

    // Act
    const [, dashboard] = only(ops.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess: each arrives as a reference to an output of the service stack
    expect(alarmIds.length).toBeGreaterThan(catalogue.length);
    for (const id of alarmIds) expect(body).toContain(`FnGetAtt${id}Arn`);
    for (const id of deadLetterIds) expect(body).toContain(`FnGetAtt${id}QueueName`);
  });
});

describe('ops dashboard: measures', () => {
  it('shows the KPIs as metric math on the measures, the survey response rate, SLA steps, throttles and drift', () => {
    // Act
    const [, dashboard] = only(ops.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    for (const expression of [
      '100 * onTime / responded',
      '100 * (oneVisit - repeats) / completed',
      '100 * repairsOnTime / promised',
      '100 * passed / inspected',
      'score / answers',
      '100 * answers / IF(sent > 0, sent, 1)',
    ])
      expect(body).toContain(expression);
    expect(body).toContain('Survey response rate');
    for (const metric of [
      'SlaBreaches',
      'Escalations',
      'SurveyAnswers',
      'SurveyCardsSent',
      'MeasureDrift',
      'Throttles',
    ])
      expect(body).toContain(metric);
  });

  it('pages on response on time below 95 % for the day and on the SLA breach rate, saying why', () => {
    // Act
    const alarms = Object.values(ops.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>);
    const byDescription = (text: string) =>
      alarms.find((a) => String(a.Properties.AlarmDescription).includes(text))?.Properties;

    // Assess
    const response = byDescription('Response on time fell below 95 %');
    expect(response).toMatchObject({ Threshold: 95, ComparisonOperator: 'LessThanThreshold' });
    expect(JSON.stringify(response?.Metrics)).toContain('FirstResponsesOnTime');
    expect(JSON.stringify(response?.Metrics)).toContain('86400');
    const breaches = byDescription('SLA breaches per 100 cases');
    expect(breaches).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' });
    for (const a of [response, breaches]) expect(a?.AlarmActions).toHaveLength(1);
  });
});

describe('cfn-lint', () => {
  const installed = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

  it('finds no error in any synthesized template, for every supported region (when cfn-lint is installed)', () => {
    if (!installed) {
      console.warn('cfn-lint is not installed (pip install cfn-lint): templates not linted');
      return;
    }
    // Prepare
    const templates = readdirSync(assembly.directory)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => join(assembly.directory, f));

    // Act
    const run = spawnSync(
      'cfn-lint',
      ['--format', 'json', '--regions', ...SUPPORTED_REGIONS, '--', ...templates],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const findings = JSON.parse(run.stdout || '[]') as {
      Level: string;
      Rule: { Id: string };
      Message: string;
      Filename: string;
    }[];

    // Assess: warnings are CDK's own style (e.g. W3005, a DependsOn next to a GetAtt); errors fail
    expect(templates.length).toBe(7);
    expect(
      findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} ${f.Filename}: ${f.Message}`),
    ).toEqual([]);
  }, 120_000);
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the synthesized app', () => {
    // Act: the pack run straight on the tree, and the report CDK wrote when the synth above ran it
    const direct = new AwsSolutionsChecks().validateScope(app);
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };

    // Assess
    expect(
      direct.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    expect(report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions')).toEqual([]);
    expect(report.pluginReports.filter((r) => r.conclusion === 'failure')).toEqual([]);
  });

  it('gives every acknowledgement a one-line reason', () => {
    // Act
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.trim().length, id).toBeGreaterThan(10);
      expect(reason, id).not.toContain('\n');
    }
  });

  it('fails synthesis on a new unacknowledged finding', () => {
    // Prepare: the same wiring on an app with an unencrypted queue nobody acknowledged
    const bad = newApp();
    const stack = new Stack(bad, 'Bad');
    const queue = new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    addComplianceChecks(bad);

    // Act
    const synth = () => bad.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS2/);
    expect((queue.node.defaultChild as CfnResource).cfnResourceType).toBe('AWS::SQS::Queue');
  });
});
