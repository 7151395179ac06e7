/**
 * The health check of the API: one cheap, consistent `GetItem` on a key that never holds data. It
 * proves the table answers (engine up, credentials and permissions right) without reading anything.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../errors.ts';

/** The key the probe reads; nothing is ever stored under it. */
export const HEALTH_PROBE_KEY = { pk: 'HEALTH#PROBE', sk: 'HEALTH#PROBE' } as const;

export interface HealthReport {
  status: 'ok';
  checks: { table: { status: 'ok'; latencyMs: number } };
}

/**
 * Reads the probe key; resolves with the latency, or throws {@link ServiceUnavailableError} naming what
 * failed (the error's class, never its details).
 */
export async function checkHealth(
  db: Pick<DynamoDBDocumentClient, 'send'>,
  tableName: string,
): Promise<HealthReport> {
  const started = Date.now();
  try {
    await db.send(new GetCommand({ TableName: tableName, Key: HEALTH_PROBE_KEY, ConsistentRead: true }));
  } catch (err) {
    throw new ServiceUnavailableError(`the table does not answer (${(err as Error).name})`, {
      checks: { table: { status: 'unavailable' } },
    });
  }
  return { status: 'ok', checks: { table: { status: 'ok', latencyMs: Date.now() - started } } };
}
