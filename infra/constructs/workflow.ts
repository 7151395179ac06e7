import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Properties of {@link Workflow}. */
export interface WorkflowProps {
  /** What the workflow does, for its role and alarms. */
  readonly description: string;
  /** The ASL definition (JSON), kept as a file so the same definition can run in tests. */
  readonly definitionFile: string;
  /** Values of the `${Name}` placeholders in the definition (function ARNs, table name, …). */
  readonly definitionSubstitutions?: Record<string, string>;
  /** @default no limit beyond the state machine's own (one year) */
  readonly timeout?: Duration;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Step Functions state machine from an ASL file: standard type, every execution event logged with
 * its data to its own retained log group, X-Ray tracing, and alarms on failed and on timed-out
 * executions. Grant what its tasks call on {@link role}.
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly timedOutAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `Aftercare workflow: ${props.description}`,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile),
      ...(props.definitionSubstitutions ? { definitionSubstitutions: props.definitionSubstitutions } : {}),
      ...(props.timeout ? { timeout: props.timeout } : {}),
      role: this.role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The log-delivery and X-Ray statements CDK adds for `logs` and `tracingEnabled` (in the default policy).
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (!defaultPolicy) throw new Error(`${this.node.path}: no logging and tracing policy on the role`);
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended-log delivery and X-Ray trace actions support no resource-level permissions',
    });

    const alarm = (alarmId: string, metric: cloudwatch.Metric, what: string) =>
      metric.createAlarm(this, alarmId, {
        alarmDescription: `Aftercare workflow ${what}: ${props.description}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const period = Duration.minutes(5);
    this.failedAlarm = alarm(
      'FailedAlarm',
      this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
      'executions failed',
    );
    this.timedOutAlarm = alarm(
      'TimedOutAlarm',
      this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
      'executions timed out',
    );
  }
}
