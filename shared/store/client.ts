/**
 * The DynamoDB document client, created once per execution environment. Endpoint and credentials come
 * from the standard SDK settings (`AWS_ENDPOINT_URL_DYNAMODB` points it at DynamoDB Local), so the
 * same code runs on AWS and locally. Retries use the SDK's standard mode with a few attempts: a throttle
 * or a dropped connection is retried with backoff instead of failing the request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Retry settings of every SDK client the functions create. */
export const SDK_RETRY = { retryMode: 'standard', maxAttempts: 5 } as const;

/**
 * On Lambda every function runs in its own execution environments, with its own connections. The local
 * runtime hosts all of them in one process, so it runs each invocation in a lane (`api` for HTTP
 * handlers, `background` for consumers, timers and the relay) and every lane gets its own client and
 * connection pool: a burst of background work cannot queue API reads behind it. On AWS there is one lane.
 */
const lanes = new AsyncLocalStorage<string>();
const clients = new Map<string, DynamoDBDocumentClient>();

/** Runs `work` (and everything it starts) in a client lane. */
export function inClientLane<T>(lane: string, work: () => T): T {
  return lanes.run(lane, work);
}

export function documentClient(): DynamoDBDocumentClient {
  const lane = lanes.getStore() ?? 'default';
  let client = clients.get(lane);
  if (!client) {
    client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...SDK_RETRY }), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    clients.set(lane, client);
  }
  return client;
}

let probe: DynamoDBDocumentClient | undefined;

/**
 * A client for health probes: one attempt and short timeouts, so a probe reports what it sees now
 * instead of retrying its way past an outage.
 */
export function probeClient(): DynamoDBDocumentClient {
  probe ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    }),
  );
  return probe;
}
