/**
 * The event-consumer bundle: each SQS record's body is an EventBridge event whose detail is validated
 * against the registry before the operation for its detail-type runs; a record that fails (invalid
 * detail, unknown type, a throwing operation) is reported alone as a partial batch failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sla } from '../../functions/sla/catalog.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';

beforeAll(() => {
  Object.assign(process.env, {
    TABLE_NAME: 't',
    TIME_ZONE: 'Asia/Shanghai',
    POWERTOOLS_SERVICE_NAME: 'aftercare',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    SLA_SCHEDULE_GROUP: 'g',
    SLA_TIMER_ARN: 'arn:aws:lambda:local:0:function:sla-timer',
    SLA_SCHEDULER_ROLE_ARN: 'arn:aws:iam::0:role/r',
    SLA_TIMER_DLQ_ARN: 'arn:aws:sqs:local:0:q',
  });
});

const actor = { sub: 'a-1', role: 'agent' };
const caseUpdated = {
  caseId: 'SR-20261123-0001',
  number: 'SR-20261123-0001',
  branchId: 'main',
  at: '2026-11-23T02:00:00.000Z',
  actor,
  action: 'assign',
};

function record(id: string, detailType: string, detail: unknown) {
  const event = { id, 'detail-type': detailType, source: 'aftercare', time: '2026-11-23T02:00:00Z', detail };
  return { messageId: id, body: JSON.stringify(event) };
}

describe('event consumer bundle', () => {
  it('hands each valid detail to the operation of its type and reports only the failed records', async () => {
    // Prepare
    const seen: string[] = [];
    const handler = eventConsumer(sla, 'sla-clock', {
      'Case Opened': async () => {
        throw new Error('not expected');
      },
      'Case Updated': async (detail) => {
        if (detail.action === 'boom') throw new Error('transient');
        seen.push(detail.caseId);
      },
      'SLA Calendar Changed': async (detail) => {
        seen.push(detail.branchId);
      },
    });
    const event = {
      Records: [
        record('m1', 'Case Updated', caseUpdated),
        record('m2', 'Case Updated', { ...caseUpdated, caseId: 42 }),
        record('m3', 'SLA Calendar Changed', { branchId: 'north', at: caseUpdated.at, actor }),
        record('m4', 'Case Updated', { ...caseUpdated, action: 'boom' }),
        record('m5', 'Survey Answered', { nonsense: true }),
        { messageId: 'm6', body: 'not json' },
      ],
    };

    // Act
    const result = await handler(event as never, lambdaContext('sla-clock'));

    // Assess
    expect(seen).toEqual(['SR-20261123-0001', 'north']);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m2', 'm4', 'm5', 'm6']);
  });
});
