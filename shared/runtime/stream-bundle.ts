/**
 * The middleware bundle of table-stream functions: records are handled in order; on the first failure the
 * rest of the batch is reported back (`batchItemFailures` from that record), so Lambda retries from there
 * and no record is skipped.
 */
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DomainModule } from '../../functions/spec.ts';
import { type EnvOf, functionEnv } from './function-env.ts';
import { beginInvocation, endInvocation, log } from './observability.ts';

export function streamHandler<M extends DomainModule, F extends keyof M['functions'] & string>(
  module: M,
  fn: F,
  each: (record: DynamoDBRecord, env: EnvOf<M, F>) => Promise<void>,
) {
  const env = functionEnv(module, fn);
  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>().handler(async (event) => {
    beginInvocation({ function: fn });
    const vars = env();
    try {
      for (const record of event.Records) {
        try {
          await each(record, vars);
        } catch (error) {
          log().error('stream record failed; retrying from this record', {
            error: error as Error,
            sequenceNumber: record.dynamodb?.SequenceNumber,
          });
          return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
        }
      }
      return { batchItemFailures: [] };
    } finally {
      endInvocation();
    }
  });
}
