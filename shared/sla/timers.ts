/**
 * The scheduling port of the SLA clocks and its EventBridge Scheduler adapter: one one-time schedule
 * (`at(...)`) per pending escalation step, in a dedicated group, with retries, a dead-letter queue and
 * `ActionAfterCompletion: DELETE`. Names are deterministic, so creating one twice is harmless. Locally
 * the same adapter talks to the scheduler emulation of `infra/local/scheduler.ts`.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import * as z from 'zod/mini';
import { scheduleDelivery } from '../../infra/delivery.ts';
import type { EnvBindings, SLA_TIMER_ENV } from '../config/env.ts';
import { SDK_RETRY } from '../store/client.ts';
import { lazySchema } from '../validation.ts';
import { type MilestoneKind, milestoneKinds } from './policy.ts';

/** What the timer function receives (the schedule's `Input`), declared once for the scheduler, the timer and tests. */
export const timerPayloadSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('sla-step'),
      caseId: z.string(),
      milestone: z.enum(milestoneKinds),
      step: z.string(),
      /** The instant the step was computed for: a timer whose step moved since is stale. */
      fireAt: z.string(),
    }),
    z.object({ kind: z.literal('morning'), branchId: z.string() }),
    /** One rung of the same ladder for an overdue step of a complaint investigation. */
    z.object({
      kind: z.literal('complaint-step'),
      complaintId: z.string(),
      stepId: z.string(),
      rung: z.string(),
      fireAt: z.string(),
    }),
    /** The answer to a return or exchange application is due (SPEC §6a): escalate it if still unanswered. */
    z.object({ kind: z.literal('return-decision'), returnId: z.string(), step: z.string() }),
    /** A recurring run of the warranty domain (renewals daily, courtesy call lists monthly); `today` to re-run a day. */
    z.object({
      kind: z.literal('warranty-run'),
      run: z.enum(['renewals', 'courtesy']),
      today: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'))),
    }),
  ]),
);
export type TimerPayload = z.infer<typeof timerPayloadSchema>;

export interface OneTimeTimer {
  name: string;
  at: Date;
  payload: TimerPayload;
}

export interface DailyTimer {
  name: string;
  /** Local time of day `HH:mm` in `timezone`. */
  time: string;
  timezone: string;
  payload: TimerPayload;
}

export interface TimerPort {
  /** Creates the schedule; an existing one with the same name counts as done. */
  scheduleOnce(timer: OneTimeTimer): Promise<void>;
  /** Creates or replaces a schedule firing every day at a local time. */
  scheduleDaily(timer: DailyTimer): Promise<void>;
  /** Deletes the schedule; a missing one counts as done. */
  cancel(name: string): Promise<void>;
}

export interface SchedulerTarget {
  group: string;
  /** Where schedules deliver; absent for a function that only removes timers (the timer target itself). */
  delivery?: {
    /** The timer Lambda. */
    targetArn: string;
    /** The role Scheduler assumes to invoke it. */
    roleArn: string;
    deadLetterArn: string;
  };
}

const milestoneCodes: Record<MilestoneKind, string> = {
  first_response: 'fr',
  arrival: 'arr',
  repair_completion: 'rep',
  workshop_repair: 'ws',
};

/** `2026-11-23T09:15:00.000Z` → `20261123T091500Z`. */
const compact = (isoInstant: string) => isoInstant.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Deterministic name of a step's schedule: case, milestone, step and the instant it fires (≤ 64 chars). */
export function stepTimerName(
  caseId: string,
  milestone: MilestoneKind,
  step: string,
  fireAt: string,
): string {
  return `${caseId}.${milestoneCodes[milestone]}.${step}.${compact(fireAt)}`;
}

/** Deterministic name of a complaint step's rung: step id (`CP-…-NNNN.<round>.<code>`), rung, instant. */
export function complaintStepTimerName(stepId: string, rung: string, fireAt: string): string {
  return `${stepId}.${rung}.${compact(fireAt)}`;
}

export const morningTimerName = (branchId: string) => `morning.${branchId}`;

/**
 * `at(yyyy-mm-ddThh:mm:ss)` in UTC. Scheduler has second resolution, so the instant is rounded up: a
 * timer never fires before its step is due. One already due fires a second from `now`.
 */
export function atExpression(at: Date, now: Date): string {
  const ms = Math.max(Math.ceil(at.getTime() / 1000) * 1000, Math.ceil(now.getTime() / 1000) * 1000 + 1000);
  return `at(${new Date(ms).toISOString().slice(0, 19)})`;
}

/** `cron(mm hh * * ? *)`: every day at a local time (the function itself skips days off). */
export function dailyCronExpression(time: string): string {
  const [hh, mm] = time.split(':').map(Number);
  return `cron(${mm} ${hh} * * ? *)`;
}

/** Retries before a firing goes to the dead-letter queue (the platform's numbers, `infra/delivery.ts`). */
const RETRY_POLICY = {
  MaximumRetryAttempts: scheduleDelivery.maximumRetryAttempts,
  MaximumEventAgeInSeconds: scheduleDelivery.maximumEventAgeSeconds,
};

export class EventBridgeSchedulerTimers implements TimerPort {
  constructor(
    private readonly client: Pick<SchedulerClient, 'send'>,
    private readonly target: SchedulerTarget,
    private readonly now: () => Date,
  ) {}

  async scheduleOnce(timer: OneTimeTimer): Promise<void> {
    await this.create(timer.name, atExpression(timer.at, this.now()), 'UTC', timer.payload, 'DELETE');
  }

  async scheduleDaily(timer: DailyTimer): Promise<void> {
    await this.cancel(timer.name);
    await this.create(timer.name, dailyCronExpression(timer.time), timer.timezone, timer.payload, 'NONE');
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.target.group }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }

  private async create(
    name: string,
    expression: string,
    timezone: string,
    payload: TimerPayload,
    after: 'DELETE' | 'NONE',
  ) {
    const delivery = this.target.delivery;
    if (!delivery) throw new Error('this function only removes SLA timers: no schedule target is configured');
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.target.group,
          ScheduleExpression: expression,
          ScheduleExpressionTimezone: timezone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: after,
          Target: {
            Arn: delivery.targetArn,
            RoleArn: delivery.roleArn,
            Input: JSON.stringify(payload),
            RetryPolicy: RETRY_POLICY,
            DeadLetterConfig: { Arn: delivery.deadLetterArn },
          },
        }),
      );
    } catch (err) {
      // Deterministic names: the schedule already exists, which is what we wanted.
      if (!(err instanceof ConflictException)) throw err;
    }
  }
}

let client: SchedulerClient | undefined;
export function schedulerClient(): SchedulerClient {
  client ??= new SchedulerClient({ ...SDK_RETRY });
  return client;
}

/** The variables naming the SLA timer group and the target its schedules deliver to. */
export type SlaTimerEnv = Pick<EnvBindings, (typeof SLA_TIMER_ENV)[number]>;

/** Timers that schedule on the SLA timer target (one group, one target for every timer of the platform). */
export function slaTimers(env: SlaTimerEnv, now: () => Date): EventBridgeSchedulerTimers {
  return new EventBridgeSchedulerTimers(
    schedulerClient(),
    {
      group: env.SLA_SCHEDULE_GROUP,
      delivery: {
        targetArn: env.SLA_TIMER_ARN,
        roleArn: env.SLA_SCHEDULER_ROLE_ARN,
        deadLetterArn: env.SLA_TIMER_DLQ_ARN,
      },
    },
    now,
  );
}
