/**
 * The synthesized CDK app against the data it is built from: the table definition, the function and
 * route catalogue, the event rules — and cdk-nag's AWS Solutions checks. The app is bundled and
 * synthesized once, with the feature flags of `cdk.json`, as `npm run synth` does.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { outboxStreamFilter } from '../../events/outbox.ts';
import { eventRules } from '../../events/rules.ts';
import {
  consumerFunctions,
  httpFunctions,
  jobFunctions,
  routeKey,
  routes,
  streamFunctions,
  THROTTLE,
} from '../../functions/catalog.ts';
import { bundleFunctions, repoRoot } from '../../infra/bundle.ts';
import { TABLE_WRITE_ACTIONS } from '../../infra/constructs/table-access.ts';
import {
  type AftercareStacks,
  addComplianceChecks,
  configFromContext,
  createAftercare,
} from '../../infra/stacks/aftercare.ts';
import { roles } from '../../shared/auth/actor.ts';
import {
  slaClockEnvSchema,
  slaTimerEnvSchema,
  surveyJobEnvSchema,
  surveyPageEnvSchema,
} from '../../shared/config/env.ts';
import { tableDefinition } from '../../shared/store/table.ts';

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

/** The context `cdk synth` passes in from `cdk.json` (feature flags); an in-memory App does not read it. */
const cdkJsonContext = (
  JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

function newApp(): App {
  return new App({
    context: { ...cdkJsonContext, stage: 'test' },
    outdir: mkdtempSync(join(tmpdir(), 'aftercare-cdk-')),
  });
}

const only = (resources: Record<string, Resource>): [string, Resource] => {
  const entries = Object.entries(resources);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
};

/** The Lambda function of a catalogue entry, found by the description the construct copies from it. */
function functionOf(template: Template, description: string): [string, Resource] {
  return only(
    template.findResources('AWS::Lambda::Function', { Properties: { Description: description } }) as Record<
      string,
      Resource
    >,
  );
}

/** Every action any policy attached to the function's role allows. */
function actionsOf(template: Template, fn: Resource): string[] {
  const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
  });
  return Object.values(policies).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) =>
      [s.Action].flat(),
    ),
  );
}

/** The newest `nodejsNN.x` runtime this aws-cdk-lib knows. */
const newestNodeRuntime = lambda.Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name))
  .map((r) => r.name)
  .sort((a, b) => Number.parseInt(a.slice(6), 10) - Number.parseInt(b.slice(6), 10))
  .at(-1);

let stacks: AftercareStacks;
let assembly: CloudAssembly;
let app: App;
let data: Template;
let eventsTemplate: Template;
let api: Template;
let ops: Template;
let surveysTemplate: Template;

beforeAll(async () => {
  await bundleFunctions();
  app = newApp();
  stacks = createAftercare(app, configFromContext(app));
  assembly = app.synth();
  data = Template.fromStack(stacks.data);
  eventsTemplate = Template.fromStack(stacks.events);
  api = Template.fromStack(stacks.api);
  ops = Template.fromStack(stacks.ops);
  surveysTemplate = Template.fromStack(stacks.surveys);
}, 120_000);

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
  const catalogue = [
    ...Object.entries(httpFunctions).map(([id, spec]) => ({ id, spec, stack: () => api })),
    ...Object.entries(consumerFunctions).map(([id, spec]) => ({ id, spec, stack: () => eventsTemplate })),
    ...Object.entries(streamFunctions).map(([id, spec]) => ({ id, spec, stack: () => eventsTemplate })),
  ];

  it('deploys exactly one Lambda function per catalogue entry', () => {
    // Act
    const counts = [api, eventsTemplate, data, ops].map(
      (t) => Object.keys(t.findResources('AWS::Lambda::Function')).length,
    );

    // Assess: and no helper functions (custom resources, log retention) anywhere
    expect(counts).toEqual([
      Object.keys(httpFunctions).length,
      Object.keys(consumerFunctions).length + Object.keys(streamFunctions).length,
      0,
      0,
    ]);
  });

  it.each(catalogue)(
    'runs $id on ARM64 with the newest Node.js runtime, active tracing and JSON logs',
    ({ spec, stack }) => {
      // Act
      const [, fn] = functionOf(stack(), spec.description);

      // Assess
      expect(fn.Properties).toMatchObject({
        Runtime: newestNodeRuntime,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    },
  );

  it('gives each function its own log group with a retention period', () => {
    // Act
    const groups = [api, eventsTemplate].flatMap(
      (t) => Object.values(t.findResources('AWS::Logs::LogGroup')) as Resource[],
    );
    const functionCount = catalogue.length;

    // Assess: one per function, plus the API access logs
    expect(groups).toHaveLength(functionCount + 1);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });
});

describe('api stack', () => {
  it('creates one route per catalogue route', () => {
    // Act
    const keys = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );

    // Assess
    expect(keys.sort()).toEqual(routes.map(routeKey).sort());
  });

  it.each(routes.map((r) => ({ key: routeKey(r), isPublic: r.roles === 'public' })))(
    'guards $key with the JWT authorizer unless the catalogue marks it public',
    ({ key, isPublic }) => {
      // Prepare
      const [authorizerId] = Object.keys(
        api.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { AuthorizerType: 'JWT' } }),
      );

      // Act
      const [, route] = only(
        api.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }) as Record<
          string,
          Resource
        >,
      );

      // Assess
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

  it('throttles the stage with the catalogue limits and writes access logs', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: THROTTLE.rateLimit,
        ThrottlingBurstLimit: THROTTLE.burstLimit,
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('has a user pool without self sign-up, with one group per role', () => {
    // Act
    const groups = Object.values(api.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );

    // Assess
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    expect(groups.sort()).toEqual([...roles].sort());
  });
});

describe('least privilege', () => {
  const readOnly = Object.entries(httpFunctions).filter(([, s]) => !s.writesTable && !s.publishesEvents);
  const writers = Object.entries(httpFunctions).filter(([, s]) => s.writesTable);
  const publishers = Object.entries(httpFunctions).filter(([, s]) => s.publishesEvents);

  it.each(readOnly)(
    'lets the read-only function %s read the table but neither write it nor publish events',
    (_id, spec) => {
      // Act
      const actions = actionsOf(api, functionOf(api, spec.description)[1]);

      // Assess
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(
        actions.filter((a) => (TABLE_WRITE_ACTIONS as readonly string[]).includes(a) || a.endsWith(':*')),
      ).toEqual([]);
      expect(actions).not.toContain('events:PutEvents');
    },
  );

  it.each(writers)('lets %s write the table', (_id, spec) => {
    expect(actionsOf(api, functionOf(api, spec.description)[1])).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
  });

  it.each(publishers)('lets %s put events on the bus', (_id, spec) => {
    expect(actionsOf(api, functionOf(api, spec.description)[1])).toContain('events:PutEvents');
  });

  it('never grants Scan', () => {
    const all = [api, eventsTemplate].flatMap((t) =>
      Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) =>
          [s.Action].flat(),
        ),
      ),
    );
    expect(all).not.toContain('dynamodb:Scan');
  });
});

describe('events stack', () => {
  it.each(eventRules)(
    'routes rule $name with exactly its declared pattern to its consumer, with a DLQ',
    (rule) => {
      // Prepare
      const [consumerId] = functionOf(
        eventsTemplate,
        consumerFunctions[rule.target as keyof typeof consumerFunctions].description,
      );

      // Act
      const [, cfnRule] = only(
        eventsTemplate.findResources('AWS::Events::Rule', {
          Properties: { Description: rule.description },
        }) as Record<string, Resource>,
      );
      const targets = cfnRule.Properties.Targets as {
        Arn: unknown;
        DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string, string] } };
        RetryPolicy?: unknown;
      }[];

      // Assess
      expect(cfnRule.Properties.EventPattern).toEqual(rule.pattern);
      expect(targets).toHaveLength(1);
      expect(targets[0]?.Arn).toEqual({ 'Fn::GetAtt': [consumerId, 'Arn'] });
      expect(targets[0]?.RetryPolicy).toMatchObject({ MaximumRetryAttempts: expect.any(Number) });
      const dlq = targets[0]?.DeadLetterConfig?.Arn['Fn::GetAtt'][0] ?? '';
      eventsTemplate.hasResource('AWS::SQS::Queue', {
        Properties: Match.objectLike({ SqsManagedSseEnabled: true }),
      });
      expect(eventsTemplate.findResources('AWS::SQS::Queue')[dlq]).toBeDefined();
    },
  );

  it('alarms on every dead-letter queue as soon as a message waits', () => {
    // Act
    const queues = Object.keys(eventsTemplate.findResources('AWS::SQS::Queue'));
    const alarmed = Object.values(
      eventsTemplate.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
      }),
    ).map(
      (a) =>
        (a.Properties.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[])[0]?.Value[
          'Fn::GetAtt'
        ][0],
    );

    // Assess
    expect(alarmed.sort()).toEqual(queues.sort());
  });

  it('parks consumer failures after Lambda retries instead of dropping them', () => {
    eventsTemplate.resourceCountIs('AWS::Lambda::EventInvokeConfig', Object.keys(consumerFunctions).length);
    eventsTemplate.allResourcesProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('outbox relay', () => {
  it.each(Object.entries(streamFunctions))(
    'feeds %s only the new items with an outbox from the table stream, in order, with a DLQ',
    (_id, spec) => {
      // Prepare
      const [fnId] = functionOf(eventsTemplate, spec.description);

      // Act
      const [, mapping] = only(
        eventsTemplate.findResources('AWS::Lambda::EventSourceMapping', {
          Properties: { FunctionName: { Ref: fnId } },
        }) as Record<string, Resource>,
      );

      // Assess
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: expect.anything(),
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

  it.each(Object.entries(streamFunctions))(
    'lets %s put events on the bus and nothing on the table',
    (_id, spec) => {
      // Act
      const actions = actionsOf(eventsTemplate, functionOf(eventsTemplate, spec.description)[1]);

      // Assess
      expect(actions).toContain('events:PutEvents');
      expect(
        actions.filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a)),
      ).toEqual([]);
    },
  );
});

describe('SLA timers and surveys are wired with what their functions need', () => {
  const envKeys = (fn: Resource) => Object.keys(fn.Properties.Environment?.Variables ?? {});
  const schemaKeys = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);

  it.each([
    ['sla-clock', () => eventsTemplate, consumerFunctions['sla-clock'].description, slaClockEnvSchema],
    ['sla-timer', () => eventsTemplate, consumerFunctions['sla-timer'].description, slaTimerEnvSchema],
    ['survey-page', () => api, httpFunctions['survey-page'].description, surveyPageEnvSchema],
  ] as const)('gives %s every variable of its environment schema', (_id, template, description, schema) => {
    // Act
    const [, fn] = functionOf(template(), description);

    // Assess
    expect(envKeys(fn)).toEqual(expect.arrayContaining(schemaKeys(schema)));
  });

  it('gives the morning run and the reply reader every variable of the survey job schema', () => {
    // Act
    const fns = Object.values(jobFunctions).map((spec) => functionOf(surveysTemplate, spec.description)[1]);

    // Assess
    for (const fn of fns) expect(envKeys(fn)).toEqual(expect.arrayContaining(schemaKeys(surveyJobEnvSchema)));
  });

  it('keeps SLA timers in their own schedule group', () => {
    eventsTemplate.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('stores inbound survey replies in an encrypted, private bucket fed by an SES receipt rule', () => {
    // Assess
    surveysTemplate.resourceCountIs('AWS::SES::ReceiptRule', 1);
    surveysTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({}),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });
});

describe('ops stack', () => {
  it('puts every alarm on one dashboard', () => {
    // Prepare
    const alarmCount = [api, eventsTemplate, surveysTemplate].reduce(
      (n, t) => n + Object.keys(t.findResources('AWS::CloudWatch::Alarm')).length,
      0,
    );

    // Act
    const [, dashboard] = only(ops.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess: each alarm's ARN arrives as a cross-stack reference (an output of the API or events stack)
    const alarmRefs = new Set(
      [...body.matchAll(/"OutputName":"(PublishOutputFnGetAtt\w*Alarm\w*Arn\w*)"/g)].map((m) => m[1]),
    );
    expect(alarmCount).toBeGreaterThan(0);
    expect(alarmRefs.size).toBe(alarmCount);
  });
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
