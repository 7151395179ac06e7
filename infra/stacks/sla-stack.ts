/**
 * The SLA timers on AWS (issue 3): an EventBridge Scheduler group for the one-time step schedules, the
 * role Scheduler assumes (it may only invoke the timer function and write to the timer DLQ), the DLQ
 * with its alarm, the default branch's morning schedule, and the environment and least-privilege grants
 * of the two SLA consumers (`sla-clock`, `sla-timer`), which the events stack creates from the catalogue.
 *
 * A construct, not a stack: it goes into the events stack next to the functions it completes, so the
 * functions' environment and the schedule target can reference each other without a cross-stack cycle.
 */
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import * as z from 'zod/mini';
import { slaClockEnvSchema, slaTimerEnvSchema } from '../../shared/config/env.ts';
import type { AftercareFunction } from '../constructs/aftercare-function.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { grantTableReadWrite } from '../constructs/table-access.ts';

/** Properties of {@link SlaTimers}. */
export interface SlaTimersProps {
  readonly table: dynamodb.ITableV2;
  /** The `sla-clock` consumer (case events → milestones and schedules). */
  readonly clock: AftercareFunction;
  /** The `sla-timer` consumer, target of every SLA schedule. */
  readonly timer: AftercareFunction;
  /** Name of the schedule group, unique per stage, e.g. `aftercare-dev-sla`. */
  readonly scheduleGroupName: string;
  /** Timezone of the default branch `main`, whose morning run starts at 08:00. */
  readonly timeZone: string;
  /** Verified SES sender of escalation e-mails. */
  readonly mailFrom: string;
  /** The SES identity (domain or address) the sender belongs to, for `ses:SendEmail`. */
  readonly emailIdentity: string;
  /** `POWERTOOLS_SERVICE_NAME` of the functions. */
  readonly serviceName: string;
}

function addEnvironment<S extends z.ZodMiniType>(
  fn: AftercareFunction,
  schema: S,
  environment: z.input<S> & Record<string, string>,
) {
  // The same schema the function checks at cold start, so a missing variable fails the synth.
  const parsed = z.safeParse(schema, environment);
  if (!parsed.success)
    throw new Error(
      `${fn.node.path}: invalid SLA environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  for (const [key, value] of Object.entries(environment)) fn.function.addEnvironment(key, value);
}

export class SlaTimers extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly deadLetters: DeadLetterQueue;
  readonly defaultMorning: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: SlaTimersProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: props.scheduleGroupName });
    const schedulesArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.scheduleGroupName}/*`,
    });
    // How cdk-nag names that wildcard resource in its finding.
    const schedulesFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${props.scheduleGroupName}/*]`;

    this.deadLetters = new DeadLetterQueue(this, 'TimerDeadLetters', {
      purpose: 'SLA timers Scheduler could not deliver after its retries',
    });

    // Scheduler may invoke the timer function and park failed firings; nothing else.
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invokes the SLA timer function for the SLA schedule group',
    });
    props.timer.function.grantInvoke(this.schedulerRole);
    this.deadLetters.queue.grantSendMessages(this.schedulerRole);
    const timerLogicalId = stack.getLogicalId(props.timer.function.node.defaultChild as lambda.CfnFunction);
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${timerLogicalId}.Arn>:*]`,
      reason:
        'grantInvoke also allows the function versions (ARN with a qualifier); the function itself is fixed',
    });

    // The clock creates and deletes step schedules in the group, handing them the Scheduler role.
    addEnvironment(props.clock, slaClockEnvSchema, {
      TABLE_NAME: props.table.tableName,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      SLA_SCHEDULE_GROUP: props.scheduleGroupName,
      SLA_TIMER_ARN: props.timer.function.functionArn,
      SLA_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SLA_TIMER_DLQ_ARN: this.deadLetters.queue.queueArn,
    });
    grantTableReadWrite(props.table, props.clock.function);
    const manageSchedules = new iam.Policy(this, 'ClockSchedulesPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
          resources: [schedulesArn],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    manageSchedules.attachToRole(props.clock.role);
    Validations.of(manageSchedules).acknowledge({
      id: schedulesFinding,
      reason: 'Schedule names are per case and step: access is limited to the SLA schedule group',
    });

    // The timer escalates (table, e-mail) and removes schedules; it never creates any.
    addEnvironment(props.timer, slaTimerEnvSchema, {
      TABLE_NAME: props.table.tableName,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      SLA_SCHEDULE_GROUP: props.scheduleGroupName,
      MAIL_FROM: props.mailFrom,
    });
    grantTableReadWrite(props.table, props.timer.function);
    const timerPolicy = new iam.Policy(this, 'TimerPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['scheduler:DeleteSchedule'], resources: [schedulesArn] }),
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.emailIdentity }),
          ],
        }),
      ],
    });
    timerPolicy.attachToRole(props.timer.role);
    Validations.of(timerPolicy).acknowledge({
      id: schedulesFinding,
      reason: 'Schedule names are per case and step: access is limited to the SLA schedule group',
    });

    // The default branch's next-morning priority run; branches with their own calendar get theirs from
    // the clock (on `SLA Calendar Changed`). Running twice on one morning is harmless: the run is idempotent.
    this.defaultMorning = new scheduler.CfnSchedule(this, 'DefaultMorning', {
      description: 'Next-morning priority for requests not dispatched on their day (branch main)',
      groupName: props.scheduleGroupName,
      scheduleExpression: 'cron(0 8 * * ? *)',
      scheduleExpressionTimezone: props.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.timer.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ kind: 'morning', branchId: 'main' }),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: Duration.hours(2).toSeconds() },
        deadLetterConfig: { arn: this.deadLetters.queue.queueArn },
      },
    });
    this.defaultMorning.addResourceDependency(this.group);
  }
}
