/**
 * The EventBridge Scheduler adapter, asserted at the SDK edge: only the client's `send` is replaced, so
 * these are the exact requests Scheduler receives.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { atExpression, EventBridgeSchedulerTimers, stepTimerName } from '../../shared/sla/timers.ts';

const target = {
  group: 'aftercare-sla',
  delivery: {
    targetArn: 'arn:aws:lambda:ap-east-1:123456789012:function:sla-timer',
    roleArn: 'arn:aws:iam::123456789012:role/sla-scheduler',
    deadLetterArn: 'arn:aws:sqs:ap-east-1:123456789012:sla-timer-dlq',
  },
};
const NOW = new Date('2026-11-23T01:00:00.000Z');

/** A Scheduler client whose `send` records each command and answers with `reply`. */
function fakeClient(reply: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      const out = reply(command);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as Pick<SchedulerClient, 'send'>;
  return { client, sent };
}

describe('EventBridge Scheduler adapter', () => {
  it('creates one one-time schedule per step: deterministic name, at() in UTC, group, target, retries, DLQ, deleted after completion', async () => {
    // Prepare
    const { client, sent } = fakeClient();
    const timers = new EventBridgeSchedulerTimers(client, target, () => NOW);
    const fireAt = '2026-11-23T04:00:00.000Z';
    const name = stepTimerName('SR-20261123-0001', 'arrival', 'p50', fireAt);
    const payload = {
      kind: 'sla-step' as const,
      caseId: 'SR-20261123-0001',
      milestone: 'arrival' as const,
      step: 'p50',
      fireAt,
    };

    // Act
    await timers.scheduleOnce({ name, at: new Date(fireAt), payload });

    // Assess
    expect(name).toBe('SR-20261123-0001.arr.p50.20261123T040000Z');
    expect(name.length).toBeLessThanOrEqual(64);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(CreateScheduleCommand);
    expect((sent[0] as CreateScheduleCommand).input).toEqual({
      Name: name,
      GroupName: 'aftercare-sla',
      ScheduleExpression: 'at(2026-11-23T04:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: target.delivery.targetArn,
        RoleArn: target.delivery.roleArn,
        Input: JSON.stringify(payload),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: target.delivery.deadLetterArn },
      },
    });
  });

  it('treats an existing schedule of the same name as created (idempotent create)', async () => {
    // Prepare
    const { client, sent } = fakeClient(
      () => new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }),
    );
    const timers = new EventBridgeSchedulerTimers(client, target, () => NOW);
    const payload = { kind: 'morning' as const, branchId: 'main' };

    // Act
    const result = timers.scheduleOnce({ name: 'x', at: new Date('2026-11-23T04:00:00Z'), payload });

    // Assess
    await expect(result).resolves.toBeUndefined();
    expect(sent).toHaveLength(1);
  });

  it('cancels by name in the group, and a schedule already gone counts as cancelled', async () => {
    // Prepare
    const { client, sent } = fakeClient(
      () => new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }),
    );
    const timers = new EventBridgeSchedulerTimers(client, target, () => NOW);

    // Act
    await timers.cancel('SR-20261123-0001.arr.p50.20261123T040000Z');

    // Assess
    expect(sent[0]).toBeInstanceOf(DeleteScheduleCommand);
    expect((sent[0] as DeleteScheduleCommand).input).toEqual({
      Name: 'SR-20261123-0001.arr.p50.20261123T040000Z',
      GroupName: 'aftercare-sla',
    });
  });

  it('replaces the daily morning schedule with a cron in the branch timezone, kept after each run', async () => {
    // Prepare
    const { client, sent } = fakeClient((c) =>
      c instanceof DeleteScheduleCommand
        ? new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} })
        : {},
    );
    const timers = new EventBridgeSchedulerTimers(client, target, () => NOW);

    // Act
    await timers.scheduleDaily({
      name: 'morning.hz',
      time: '08:30',
      timezone: 'Asia/Shanghai',
      payload: { kind: 'morning', branchId: 'hz' },
    });

    // Assess
    expect(sent.map((c) => c?.constructor.name)).toEqual(['DeleteScheduleCommand', 'CreateScheduleCommand']);
    expect((sent[1] as CreateScheduleCommand).input).toMatchObject({
      Name: 'morning.hz',
      ScheduleExpression: 'cron(30 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      ActionAfterCompletion: 'NONE',
      Target: {
        Input: '{"kind":"morning","branchId":"hz"}',
        DeadLetterConfig: { Arn: target.delivery.deadLetterArn },
      },
    });
  });

  it('refuses to create schedules where no target is configured (the timer function only removes them)', async () => {
    // Prepare
    const { client, sent } = fakeClient();
    const timers = new EventBridgeSchedulerTimers(client, { group: 'aftercare-sla' }, () => NOW);

    // Act
    const result = timers.scheduleOnce({
      name: 'x',
      at: NOW,
      payload: { kind: 'morning', branchId: 'main' },
    });

    // Assess
    await expect(result).rejects.toThrow(/no schedule target/);
    expect(sent).toHaveLength(0);
  });
});

describe('at() expressions', () => {
  it.each([
    { name: 'a whole second as is', at: '2026-11-23T04:00:00.000Z', expression: 'at(2026-11-23T04:00:00)' },
    {
      name: 'a fraction rounded up, never early',
      at: '2026-11-23T04:00:00.001Z',
      expression: 'at(2026-11-23T04:00:01)',
    },
    {
      name: 'an instant already past: a second from now',
      at: '2026-11-22T04:00:00.000Z',
      expression: 'at(2026-11-23T01:00:01)',
    },
  ])('$name', ({ at, expression }) => {
    // Act
    const result = atExpression(new Date(at), NOW);

    // Assess
    expect(result).toBe(expression);
  });
});
