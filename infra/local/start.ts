/**
 * `npm start`: the whole Aftercare system on this machine. Options: `--port 3000`, `--in-memory`
 * (throwaway data), `--data-dir .data`. Ctrl-C stops everything, DynamoDB Local included.
 */
import { parseArgs } from 'node:util';

import { checkJava } from './dynamo.ts';
import { startSystem, writeRunningUrl } from './system.ts';

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

const system = await startSystem({
  port: Number(values.port),
  inMemory: values['in-memory'],
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
});

const dataDir = values['data-dir'] ?? '.data';
// Where the running system answers, for `npm run surveys:dispatch` and other local tools.
writeRunningUrl(dataDir, system.url);
console.log(`
Aftercare is running.
  API            ${system.url}            (reference: ${system.url}/docs)
  DynamoDB Local ${system.dynamoEndpoint}    table "${system.tableName}"${values['in-memory'] ? ' (in memory)' : ` (data in ${dataDir}/)`}
  E-mail outbox  ${system.url}/_local/outbox     (every message sent, as .eml under ${dataDir}/outbox/)
  E-mail replies drop .eml files into ${dataDir}/inbox/, or POST raw MIME to ${system.url}/_local/inbox
  Survey run     POST ${system.url}/_local/run/survey-dispatch   (or: npm run surveys:dispatch)
  Get a token    npm run token -- --role dispatcher --sub d-1
Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await system.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
