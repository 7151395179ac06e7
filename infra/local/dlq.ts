/**
 * `npm run dlq -- list|redrive [--id <id> …] [--data-dir .data]`: the local dead-letter store. `list`
 * shows what the delivery queues, the scheduler, the inbox and the stream relay gave up on (source, target,
 * receives, reason, last error); `redrive` moves dead letters (all, or those named with `--id`) back to
 * their queues with a fresh receive count, and the runtime delivers them again.
 *
 * AWS counterpart: each consumer's SQS dead-letter queue, inspected in the console and sent back with
 * "Start DLQ redrive" (`aws sqs start-message-move-task --source-arn <dlq arn>`); the SLA timer DLQ and the
 * relay's failure destination are read the same way.
 *
 * While `npm start` runs on the data folder, the command works on its engine (found through the lock
 * file); otherwise it starts the engine on the folder itself, for as long as it needs it. `--endpoint` and
 * `--table` name an engine and application table directly.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../bundle.ts';
import { startDynamoLocal } from './dynamo.ts';
import { acquireDataLock, DataFolderInUseError, readLock } from './lock.ts';
import { type DeadLetter, DeliveryQueues, runtimeTableName } from './queues.ts';

const USAGE = 'usage: npm run dlq -- list|redrive [--id <id> …] [--data-dir .data] [--json]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
    endpoint: { type: 'string' },
    table: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const command = positionals[0];
if (command !== 'list' && command !== 'redrive') {
  console.error(USAGE);
  process.exit(2);
}

function describe(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'No dead letters.';
  return letters
    .map((d) =>
      [
        `${d.id}  ${d.deadAt}`,
        `  ${d.source} → ${d.target}, ${d.receiveCount} receive(s): ${d.reason}`,
        ...(d.lastError ? [`  last error: ${d.lastError.split('\n')[0]}`] : []),
      ].join('\n'),
    )
    .join('\n');
}

async function run(endpoint: string, tableName: string): Promise<void> {
  const queues = new DeliveryQueues({
    endpoint,
    tableName: runtimeTableName(tableName),
    invoke: () => Promise.reject(new Error('the dlq command delivers nothing itself')),
  });
  try {
    if (command === 'list') {
      const letters = await queues.deadLetters();
      console.log(values.json ? JSON.stringify(letters, null, 2) : describe(letters));
    } else {
      const moved = await queues.redrive(values.id);
      const missing = (values.id ?? []).filter((id) => !moved.includes(id));
      if (values.json) console.log(JSON.stringify({ redriven: moved, notFound: missing }));
      else {
        console.log(
          moved.length
            ? `Moved ${moved.length} message(s) back to their queues: ${moved.join(', ')}.\nThe runtime delivers them again (now if \`npm start\` runs, else when it next starts).`
            : 'Nothing to redrive.',
        );
        if (missing.length) console.error(`No dead letter with id ${missing.join(', ')}.`);
      }
      if (missing.length) process.exitCode = 1;
    }
  } finally {
    await queues.stop();
  }
}

try {
  if (values.endpoint) {
    await run(values.endpoint, values.table ?? 'aftercare');
  } else {
    const dataDir = resolve(values['data-dir'] ?? join(repoRoot, '.data'));
    const running = readLock(dataDir);
    if (running?.dynamoEndpoint) {
      await run(running.dynamoEndpoint, values.table ?? running.tableName ?? 'aftercare');
    } else {
      // Nobody runs on the folder: hold it, and run its engine for the time of the command.
      const lock = await acquireDataLock(dataDir);
      const engine = await startDynamoLocal({ dataDir: join(dataDir, 'dynamodb') });
      try {
        await run(engine.endpoint, values.table ?? 'aftercare');
      } finally {
        await engine.stop();
        lock.release();
      }
    }
  }
} catch (err) {
  const message = (err as Error).message;
  console.error(
    err instanceof DataFolderInUseError
      ? `${message}\n(it is still starting; try again in a moment)`
      : (err as Error).name === 'ResourceNotFoundException'
        ? 'No dead-letter store in this data folder yet (the runtime has not run on it).'
        : `dlq: ${message}`,
  );
  process.exit(1);
}
