/**
 * The application table of a local data folder, for commands that work on its data (`npm run seed`,
 * `npm run token -- --staff`): the engine of the running `npm start` (found through the lock file), or,
 * when nothing runs there, the folder's own engine for as long as the command needs it.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localClientConfig, startDynamoLocal } from './dynamo.ts';
import { acquireDataLock, readLock } from './lock.ts';

export async function withLocalTable<T>(
  dataDir: string,
  work: (db: DynamoDBDocumentClient, tableName: string) => Promise<T>,
): Promise<T> {
  const running = readLock(dataDir);
  const use = async (endpoint: string, tableName: string) => {
    await ensureTable(endpoint, tableName);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(endpoint)), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    try {
      return await work(db, tableName);
    } finally {
      db.destroy();
    }
  };
  if (running?.dynamoEndpoint) return use(running.dynamoEndpoint, running.tableName ?? 'aftercare');
  const lock = await acquireDataLock(dataDir);
  const engine = await startDynamoLocal({ dataDir: join(dataDir, 'dynamodb') });
  try {
    return await use(engine.endpoint, 'aftercare');
  } finally {
    await engine.stop();
    lock.release();
  }
}
