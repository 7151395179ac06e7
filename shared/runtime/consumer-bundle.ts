/**
 * The middleware bundle of event consumers: EventBridge rule → SQS queue (with a DLQ) → Lambda. Each
 * record's body is an EventBridge event; its detail is validated against `events/registry.ts` and handed to
 * the operation for its detail-type — one per detail-type the function's rules match, checked by type.
 * A record that fails is reported as a partial batch failure, so SQS redelivers only that record and
 * finally moves it to the DLQ; the others are not retried.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { type DetailType, type EventDetail, eventSchemas } from '../../events/registry.ts';
import type { DomainModule } from '../../functions/spec.ts';
import { lazySchema } from '../validation.ts';
import { type EnvOf, functionEnv } from './function-env.ts';
import { beginInvocation, endInvocation, log } from './observability.ts';

/** What EventBridge puts in the queue: the event envelope. */
export interface BusEnvelope<T extends DetailType = DetailType> {
  id: string;
  'detail-type': T;
  source: string;
  time: string;
  detail: EventDetail<T>;
}

const envelopeSchema = lazySchema(() =>
  z.object({
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    time: z.string(),
    detail: z.record(z.string(), z.unknown()),
  }),
);

/** The detail-types a consumer's rules select. */
export type DetailTypesOf<M extends DomainModule, F extends keyof M['functions']> = NonNullable<
  Extract<M['functions'][F]['trigger'], { kind: 'events' }>['rules'][number]['pattern']['detail-type']
>[number] &
  DetailType;

export type ConsumerOperations<M extends DomainModule, F extends keyof M['functions'] & string> = {
  [T in DetailTypesOf<M, F>]: (
    detail: EventDetail<T>,
    env: EnvOf<M, F>,
    event: BusEnvelope<T>,
  ) => Promise<void>;
};

/** Parses one record into its event, validated against the registry. */
export function parseRecordBody(body: string): BusEnvelope {
  const envelope = z.parse(envelopeSchema, JSON.parse(body));
  const schema = eventSchemas[envelope['detail-type'] as DetailType];
  if (!schema) throw new Error(`unknown detail-type ${envelope['detail-type']}`);
  return { ...envelope, detail: z.parse(schema, envelope.detail) } as BusEnvelope;
}

export function eventConsumer<M extends DomainModule, F extends keyof M['functions'] & string>(
  module: M,
  fn: F,
  ops: ConsumerOperations<M, F>,
) {
  const env = functionEnv(module, fn);
  const byType = ops as unknown as Record<
    string,
    (detail: unknown, env: EnvOf<M, F>, event: BusEnvelope) => Promise<void>
  >;
  return middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event) => {
    beginInvocation({ function: fn });
    const vars = env();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const busEvent = parseRecordBody(record.body);
        const op = byType[busEvent['detail-type']];
        if (!op) throw new Error(`${fn} has no operation for ${busEvent['detail-type']}`);
        await op(busEvent.detail, vars, busEvent);
      } catch (error) {
        log().error('event failed; it will be redelivered', {
          error: error as Error,
          messageId: record.messageId,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    endInvocation();
    return { batchItemFailures };
  });
}
