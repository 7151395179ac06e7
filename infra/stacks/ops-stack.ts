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
  /** The Powertools service name: the `service` dimension of the functions' EMF metrics. */
  readonly serviceName: string;
}

/** Namespace of the functions' EMF metrics (`shared/runtime/observability.ts`). */
export const METRICS_NAMESPACE = 'Aftercare';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What ops watch (SPEC §1): one dashboard with the alarms, API traffic and errors, every function's
 * errors and duration, how long events wait for their consumers, and the dead letters waiting.
 * Separate so it can change without touching compute.
 */
export class OpsStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;
  /** Alarms on the service's measures (the others come with what they watch). */
  readonly measureAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);
    const fns = Object.entries(props.functions);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    const measures = measureWidgets(this, props.serviceName);
    this.measureAlarms = measures.alarms;
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.alarms, ...measures.alarms],
        width: 24,
      }),
      ...measures.widgets,
      new cloudwatch.GraphWidget({
        title: 'Lambda throttles',
        left: fns.map(([id, f]) =>
          f.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: id }),
        ),
        width: 12,
      }),
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

const ONE_DAY = Duration.days(1);
const ONE_HOUR = Duration.hours(1);
const ONE_WEEK = Duration.days(7);

/**
 * The KPIs of SPEC §10 as the measures consumer counts them (EMF metrics named in
 * `shared/measures/definitions.ts`, company-wide): rates by metric math over a day, SLA steps, surveys;
 * and the alarms on them. Each alarm says why it pages in its description.
 */
function measureWidgets(scope: Construct, serviceName: string) {
  const metric = (metricName: string, period = ONE_DAY) =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: serviceName },
      statistic: 'Sum',
      period,
    });
  const rate = (
    label: string,
    expression: string,
    usingMetrics: Record<string, cloudwatch.IMetric>,
    period = ONE_DAY,
  ) => new cloudwatch.MathExpression({ label, expression, usingMetrics, period });
  const responseOnTime = rate('Response on time %', '100 * onTime / responded', {
    onTime: metric('FirstResponsesOnTime'),
    responded: metric('FirstResponses'),
  });
  const kpis = [
    responseOnTime,
    rate('First-time fix %', '100 * (oneVisit - repeats) / completed', {
      oneVisit: metric('OneVisitCompletions'),
      repeats: metric('RepeatCases'),
      completed: metric('CasesCompleted'),
    }),
    rate('Repair on time %', '100 * repairsOnTime / promised', {
      repairsOnTime: metric('RepairsOnTime'),
      promised: metric('RepairsPromised'),
    }),
    rate('Repair quality (first inspection passed) %', '100 * passed / inspected', {
      passed: metric('InspectionsPassedFirst'),
      inspected: metric('RepairsInspected'),
    }),
  ];
  const satisfaction = rate('Satisfaction (1–5)', 'score / answers', {
    score: metric('SurveyScoreSum'),
    answers: metric('SurveyAnswers'),
  });
  // Cards are counted on the morning they go out (the survey run's `SurveyCardsSent`), answers on the day
  // they come back, a few days later: over a week the ratio is the response rate, give or take the edges.
  // The exact rate per service month is on the scorecard (`GET /surveys/scorecard/{month}`).
  const responseRate = rate(
    'Survey response rate % (7 days)',
    '100 * answers / IF(sent > 0, sent, 1)',
    { answers: metric('SurveyAnswers', ONE_WEEK), sent: metric('SurveyCardsSent', ONE_WEEK) },
    ONE_WEEK,
  );
  const breachRate = rate(
    'SLA breaches per 100 cases opened',
    '100 * breaches / IF(opened > 0, opened, 1)',
    { breaches: metric('SlaBreaches', ONE_HOUR), opened: metric('CasesOpened', ONE_HOUR) },
    ONE_HOUR,
  );
  const alarms = [
    responseOnTime.createAlarm(scope, 'ResponseOnTimeAlarm', {
      alarmDescription:
        'Response on time fell below 95 % for the day (SPEC §10 target): first responses are being missed; check the dispatch board and staffing',
      threshold: 95,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    breachRate.createAlarm(scope, 'SlaBreachRateAlarm', {
      alarmDescription:
        'More than 10 SLA breaches per 100 cases opened in the last hour: customers are waiting past their limits; escalations follow',
      threshold: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  const widgets = [
    new cloudwatch.GraphWidget({
      title: 'KPIs (daily, %)',
      left: kpis,
      leftYAxis: { min: 0, max: 100 },
      leftAnnotations: [
        { value: 95, label: 'response target' },
        { value: 80, label: 'first-time fix target' },
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Satisfaction and survey answers (daily)',
      left: [satisfaction],
      leftYAxis: { min: 1, max: 5 },
      leftAnnotations: [{ value: 4.5, label: 'target' }],
      right: [metric('SurveyAnswers'), metric('CasesCompleted')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Survey response rate (7 days, %) and cards sent',
      left: [responseRate],
      leftYAxis: { min: 0, max: 100 },
      right: [metric('SurveyCardsSent', ONE_WEEK)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'SLA breaches, escalations, complaints (hourly)',
      left: [
        metric('SlaBreaches', ONE_HOUR),
        metric('Escalations', ONE_HOUR),
        metric('ComplaintsRaised', ONE_HOUR),
      ],
      right: [breachRate],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Cases opened and completed; aggregate drift found at night',
      left: [metric('CasesOpened'), metric('CasesCompleted')],
      right: [metric('MeasureDrift')],
      width: 12,
    }),
  ];
  return { widgets, alarms };
}
