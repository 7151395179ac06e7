import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { ScheduleSpec } from '../../functions/spec.ts';
import { scheduleDelivery } from '../delivery.ts';
import type { AftercareFunction } from './aftercare-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FailedInvocations } from './failed-invocations.ts';

/** Properties of {@link ScheduledJob}. */
export interface ScheduledJobProps {
  /** The function every schedule of the job invokes. */
  readonly target: AftercareFunction;
  /** The group the schedules live in (its name is also what the functions and the local runtime use). */
  readonly group: scheduler.CfnScheduleGroup;
  /** The named recurring schedules, created with exactly their declared names. */
  readonly schedules: readonly ScheduleSpec[];
  /** IANA timezone the expressions are evaluated in. */
  readonly timeZone: string;
}

/**
 * EventBridge Scheduler → one function: the job's named schedules in their group, the role Scheduler
 * assumes (it may invoke that one function and write to the job's DLQ, for schedules of that group only),
 * the DLQ of firings Scheduler could not deliver, and the function's on-failure destination for the
 * firings it accepted and still failed. Schedules the functions create at run time in the same group
 * pass {@link role} and {@link deadLetters}, so they are handled the same way.
 */
export class ScheduledJob extends Construct {
  readonly target: AftercareFunction;
  readonly role: iam.Role;
  /** Firings Scheduler could not deliver after its retries. */
  readonly deadLetters: DeadLetterQueue;
  /** Firings the function failed after Lambda's retries. */
  readonly failedInvocations: FailedInvocations;
  /** By schedule name. */
  readonly schedules: Record<string, scheduler.CfnSchedule>;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { target, group } = props;
    this.target = target;
    const groupName = group.name;
    if (!groupName) throw new Error(`${this.node.path}: the schedule group needs an explicit name`);

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `Scheduler could not deliver firings of group ${groupName} to ${target.functionId}`,
    });
    this.role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': group.attrArn },
        },
      }),
      description: `EventBridge Scheduler: invokes ${target.functionId} for schedule group ${groupName}`,
    });
    // The unqualified function only (grantInvoke would add every version and alias as well).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [target.function.functionArn],
      }),
    );
    this.deadLetters.queue.grantSendMessages(this.role);
    this.failedInvocations = new FailedInvocations(this, 'FailedInvocations', {
      target,
      invoker: `schedule group ${groupName}`,
    });

    this.schedules = {};
    for (const spec of props.schedules) {
      const schedule = new scheduler.CfnSchedule(this, `Schedule-${spec.name}`, {
        name: spec.name,
        groupName,
        description: spec.description,
        scheduleExpression: spec.expression,
        scheduleExpressionTimezone: props.timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: target.function.functionArn,
          roleArn: this.role.roleArn,
          input: JSON.stringify(spec.input),
          retryPolicy: {
            maximumRetryAttempts: scheduleDelivery.maximumRetryAttempts,
            maximumEventAgeInSeconds: scheduleDelivery.maximumEventAgeSeconds,
          },
          deadLetterConfig: { arn: this.deadLetters.queue.queueArn },
        },
      });
      schedule.addResourceDependency(group);
      // The first firing must find the role's policy in place.
      schedule.node.addDependency(this.role);
      this.schedules[spec.name] = schedule;
    }
  }
}
