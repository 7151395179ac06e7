import { EventBridgeClient, type PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { outboxStreamFilter, withOutbox } from '../../events/outbox.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { matchesPattern } from '../../infra/local/pattern.ts';

beforeAll(() => {
  process.env.EVENT_BUS_NAME = 'bus-under-test';
  process.env.POWERTOOLS_SERVICE_NAME = 'aftercare';
  process.env.TIME_ZONE = 'Asia/Shanghai';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
});
afterEach(() => vi.restoreAllMocks());

const detail = {
  caseId: 'SR-1',
  number: 'SR-1',
  branchId: 'main',
  at: '2026-11-22T01:00:00.000Z',
  actor: { sub: 'a', role: 'agent' },
  action: 'assign',
};
function record(seq: string, item: Record<string, unknown>, eventName = 'INSERT') {
  return {
    eventName,
    dynamodb: { SequenceNumber: seq, NewImage: marshall(item, { removeUndefinedValues: true }) },
  };
}

describe('outbox relay (table stream → EventBridge)', () => {
  it('publishes the events of new outbox items, in order, to the configured bus', async () => {
    // Prepare
    const send = vi
      .spyOn(EventBridgeClient.prototype, 'send')
      .mockResolvedValue({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] } as never);
    const { handler } = await import('../../functions/platform/event-relay.ts');
    const event = {
      Records: [
        record('1', { pk: 'CASE#SR-1', sk: 'TL#1', outbox: [{ detailType: 'Case Updated', detail }] }),
        record('2', {
          pk: 'CASE#SR-1',
          sk: 'TL#2',
          outbox: [{ detailType: 'Case Updated', detail: { ...detail, action: 'depart' } }],
        }),
      ],
    } as unknown as DynamoDBStreamEvent;

    // Act
    const result = await handler(event, lambdaContext('event-relay'));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const inputs = send.mock.calls.map(([cmd]) => (cmd as PutEventsCommand).input.Entries?.[0]);
    expect(inputs.map((e) => e?.EventBusName)).toEqual(['bus-under-test', 'bus-under-test']);
    expect(inputs.map((e) => JSON.parse(e?.Detail ?? '{}').action)).toEqual(['assign', 'depart']);
    expect(inputs[0]).toMatchObject({ Source: 'aftercare', DetailType: 'Case Updated' });
  });

  it('reports the first failed record so the batch is retried from there, not skipped', async () => {
    // Prepare
    vi.spyOn(EventBridgeClient.prototype, 'send')
      .mockResolvedValueOnce({ FailedEntryCount: 0, Entries: [{}] } as never)
      .mockRejectedValueOnce(new Error('throttled'));
    const { handler } = await import('../../functions/platform/event-relay.ts');
    const event = {
      Records: ['7', '8', '9'].map((seq) =>
        record(seq, { pk: 'CASE#SR-1', sk: `TL#${seq}`, outbox: [{ detailType: 'Case Updated', detail }] }),
      ),
    } as unknown as DynamoDBStreamEvent;

    // Act
    const result = await handler(event, lambdaContext('event-relay'));

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '8' }]);
  });

  it.each([
    [
      'a new entry with events',
      record('1', withOutbox({ pk: 'p', sk: 's', outbox: [{ detailType: 'x' }] })),
      true,
    ],
    ['a new item without an outbox', record('1', { pk: 'p', sk: 's' }), false],
    ['a new item with an empty outbox', record('1', withOutbox({ pk: 'p', sk: 's', outbox: [] })), false],
    [
      'a modified item with an outbox',
      record('1', withOutbox({ pk: 'p', sk: 's', outbox: [{ detailType: 'x' }] }), 'MODIFY'),
      false,
    ],
  ])('the stream filter selects %s: %s', (_name, rec, expected) => {
    expect(matchesPattern(outboxStreamFilter, rec as unknown as Record<string, unknown>)).toBe(expected);
  });
});
