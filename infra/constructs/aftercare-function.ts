import { existsSync } from 'node:fs';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod/mini';
import type { FunctionSpec } from '../../functions/spec.ts';
import { type EnvBindings, environmentFor } from '../../shared/config/env.ts';
import { type FunctionId, functionAssetDir } from '../bundle.ts';

/** The newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 checks the same). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Timeout of a spec that states none (API Gateway gives up after 30 seconds). */
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** Properties of {@link AftercareFunction}. */
export interface AftercareFunctionProps {
  /** Catalogue id (`functions/catalog.ts`); selects the bundle `.build/lambda/<id>`. */
  readonly functionId: FunctionId;
  /** The function as its domain declares it: description, environment schema, timeout. */
  readonly spec: FunctionSpec;
  /**
   * The stage's values of the variables its stack can bind (the Service stack: every one); the function
   * gets exactly those its schema names, and synthesis fails when one of them is not bound.
   */
  readonly bindings: Partial<EnvBindings>;
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
 * exactly the variables of the function's environment schema (validated by that schema at synth), the
 * timeout its spec states, a role that may only write its logs and traces (grants follow the spec's
 * `access`, see `function-access.ts`), and an alarm on errors.
 */
export class AftercareFunction extends Construct {
  readonly functionId: FunctionId;
  readonly spec: FunctionSpec;
  readonly timeout: Duration;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AftercareFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.functionId = props.functionId;
    this.spec = spec;
    this.timeout = Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);

    // Same schema as the function's cold-start check, so a bad value fails `cdk synth`, not the first call.
    let environment: Record<string, string>;
    try {
      environment = environmentFor(spec.env, props.bindings);
    } catch (err) {
      throw new Error(`${this.node.path}: ${props.functionId}: ${(err as Error).message} in this stack`);
    }
    const env = z.safeParse(spec.env, environment);
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
      timeout: this.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: props.applicationLogLevel ?? lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
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
