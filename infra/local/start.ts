/**
 * `npm start`: the whole Aftercare system on this machine. Options: `--port 3000`, `--in-memory`
 * (throwaway data), `--data-dir .data`. Ctrl-C or SIGTERM stops everything in order — API, stream relay,
 * queues, DynamoDB Local last — and exits 0. DynamoDB Local is restarted when it dies, and dies with this
 * process (even on SIGKILL); a second start on the same data folder is refused.
 */
import { parseArgs } from 'node:util';

import { checkJava } from './dynamo.ts';
import { DataFolderInUseError } from './lock.ts';
import { type LocalSystem, startSystem } from './system.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'in-memory': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
});

try {
  checkJava();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

let system: LocalSystem;
try {
  system = await startSystem({
    port: Number(values.port),
    inMemory: values['in-memory'],
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    // When DynamoDB Local dies it is restarted on the same port and data; if it will not come back,
    // stop with a clear message rather than serve 500s forever.
    superviseEngine: {
      onEngineLost(err) {
        console.error(
          `[engine] ${err.message.split('\n')[0]}\nStopping: the API cannot work without its table.`,
        );
        void shutdown('engine lost', 1);
      },
    },
  });
} catch (err) {
  // A refusal (the data folder is in use) or a failed start: the message says what to do; no stack.
  console.error(
    err instanceof DataFolderInUseError ? err.message : `Aftercare did not start: ${(err as Error).message}`,
  );
  process.exit(1);
}

const dataDir = values['data-dir'] ?? '.data';
console.log(`
Aftercare is running.
  API            ${system.url}            (reference: ${system.url}/docs)
  Health         ${system.url}/health   (the runtime's own view: ${system.url}/_local/health)
  DynamoDB Local ${system.dynamoEndpoint}    table "${system.tableName}"${values['in-memory'] ? ' (in memory)' : ` (data in ${dataDir}/)`}
  Dashboard      ${system.url}/_local/dashboard   (KPIs, trends, daily reports: what /reports answers)
  E-mail outbox  ${system.url}/_local/outbox     (every message sent, as .eml under ${dataDir}/outbox/)
  E-mail replies drop .eml files into ${dataDir}/inbox/, or POST raw MIME to ${system.url}/_local/inbox
  Survey run     POST ${system.url}/_local/run/survey-dispatch   (or: npm run surveys:dispatch)
  Demo directory npm run seed   (branches, staff, customers, units; nothing is seeded unless you ask)
  Get a token    npm run token -- --staff d-wang   (a directory person), or --role dispatcher --sub d-1
  Dead letters   npm run dlq -- list   (and: npm run dlq -- redrive [--id <id>])
Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(reason: string, code = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping (API, relay, queues, then DynamoDB Local)…`);
  try {
    await system.stop();
  } catch (err) {
    console.error(`[local] stop did not finish cleanly: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log('stopped.');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// Background work reports its own failures; anything that still escapes is logged, not a crash with a
// half-stopped engine.
process.on('unhandledRejection', (err) => {
  console.error(`[local] unhandled: ${(err as Error)?.message ?? err}`);
});
