import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AftercareFunction } from '../constructs/aftercare-function.ts';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';

/** Properties of {@link OpsStack}. */
export interface OpsStackProps extends StackProps {
  readonly api: apigwv2.IHttpApi;
  /** Every deployed function, by catalogue id. */
  readonly functions: Record<string, AftercareFunction>;
  readonly deadLetterQueues: DeadLetterQueue[];
  /** Queues events wait in for their consumers. */
  readonly eventQueues: sqs.IQueue[];
  /** Alarms shown at the top of the dashboard. */
  readonly alarms: cloudwatch.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What ops watch (SPEC §1): one dashboard with the alarms, API traffic and errors, every function's
 * errors and duration, how long events wait for their consumers, and the dead letters waiting.
 * Separate so it can change without touching compute.
 */
export class OpsStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);
    const fns = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24 }),
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'requests' })],
        right: [
          props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }),
          props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum', label: '5xx' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        left: ['p50', 'p90', 'p99'].map((statistic) =>
          props.api.metricLatency({ period: FIVE_MINUTES, statistic, label: statistic }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: fns.map(([id, f]) =>
          f.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: id }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p90',
        left: fns.map(([id, f]) =>
          f.function.metricDuration({ period: FIVE_MINUTES, statistic: 'p90', label: id }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest event waiting for its consumer (s)',
        left: props.eventQueues.map((q) =>
          q.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead letters waiting',
        left: props.deadLetterQueues.map((d) =>
          d.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        ),
        width: 12,
      }),
    );
  }
}
