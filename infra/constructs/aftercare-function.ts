import { existsSync } from 'node:fs';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod/mini';
import { type FunctionId, functionAssetDir, lambdaFunctions } from '../bundle.ts';

/** The newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 checks the same). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** A function environment schema: an object of string variables (see `shared/config/env.ts`). */
export type EnvSchema = z.ZodMiniType<Record<string, unknown>, Record<string, string | undefined>>;

/** Lambda takes strings only; an optional variable left out is simply not set. */
const definedOnly = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

/** Properties of {@link AftercareFunction}. */
export interface AftercareFunctionProps<S extends EnvSchema> {
  /** Catalogue id (`functions/catalog.ts`); selects the bundle `.build/lambda/<id>` and the description. */
  readonly functionId: FunctionId;
  /** The schema the function validates its environment with at cold start. */
  readonly envSchema: S;
  /** Exactly the schema's input: a missing or unknown variable fails the type check. */
  readonly environment: z.input<S>;
  /** @default 10 seconds (API Gateway gives up after 30) */
  readonly timeout?: Duration;
  /** @default 1024 MB (also buys CPU: cold starts of the bundled SDK are CPU-bound) */
  readonly memorySize?: number;
  /** @default INFO */
  readonly applicationLogLevel?: lambda.ApplicationLogLevel;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** @default RETAIN: logs are part of the audit trail and outlive a stack */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One Lambda function with Aftercare's defaults: the esbuild bundle of a catalogue entry on the newest
 * Node.js runtime, ARM64, JSON logs into its own retained log group, X-Ray active tracing, source maps,
 * an environment typed and validated by the function's own zod schema, a role that may only write its
 * logs and traces (grant the rest explicitly), and an alarm on errors.
 */
export class AftercareFunction<S extends EnvSchema = EnvSchema> extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AftercareFunctionProps<S>) {
    super(scope, id);
    const spec = lambdaFunctions[props.functionId];

    // Same schema as the function's cold-start check, so a bad value fails `cdk synth`, not the first call.
    const env = z.safeParse(props.envSchema, props.environment);
    if (!env.success) {
      const fields = env.error.issues.map((i) => i.path.join('.')).join(', ');
      throw new Error(`${this.node.path}: invalid environment for ${props.functionId}: ${fields}`);
    }

    const assetDir = functionAssetDir(props.functionId);
    if (!existsSync(assetDir)) {
      throw new Error(`${assetDir} is missing: bundle the functions first (npm run bundle)`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Aftercare ${props.functionId}: ${spec.description}`,
    });
    this.logGroup.grantWrite(this.role);

    // X-Ray permissions in a policy of their own, so the wildcard acknowledgement below covers nothing else.
    const tracing = new iam.Policy(this, 'TracingPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    tracing.attachToRole(this.role);
    Validations.of(tracing.node.defaultChild as iam.CfnPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions',
    });

    this.function = new lambda.Function(this, 'Function', {
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(assetDir),
      handler: 'index.handler',
      description: spec.description,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: props.applicationLogLevel ?? lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { ...definedOnly(props.environment), NODE_OPTIONS: '--enable-source-maps' },
    });
    // Active tracing set on the resource rather than via `tracing`, which would add the X-Ray wildcard
    // statement to the role's default policy, next to the grants.
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.function.node.addDependency(tracing);

    this.errorsAlarm = this.function
      .metricErrors({ period: Duration.minutes(5) })
      .createAlarm(this, 'ErrorsAlarm', {
        alarmDescription: `Aftercare ${props.functionId} threw unhandled errors`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}
