/**
 * `npm run contracts:renewals [-- --today YYYY-MM-DD] [--port 3000]`: triggers the daily contract renewal
 * run of the system `npm start` is running (the same handler its schedule invokes on AWS) and prints its
 * report. Without `--port` it talks to the system `npm start` last started (its address is in the lock).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readLock } from './lock.ts';
import { repoRoot } from './system.ts';

const usage = `usage: npm run contracts:renewals -- [--today YYYY-MM-DD] [--port N] [--data-dir DIR]

Runs the contract renewal run of the system \`npm start\` is running and prints its report.
  --today     the day the run is for; default: today
  --port      the port of the running system; default: the one \`npm start\` last used
  --data-dir  the data folder \`npm start\` uses (default .data, or AFTERCARE_DATA_DIR)`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    today: { type: 'string' },
    'data-dir': { type: 'string', default: process.env.AFTERCARE_DATA_DIR ?? join(repoRoot, '.data') },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const base = values.port
  ? `http://127.0.0.1:${values.port}`
  : (readLock(values['data-dir'])?.url ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`);
const url = `${base}/_local/run/contract-renewals`;
try {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values.today ? { today: values.today } : {}),
  });
  console.log(JSON.stringify(await res.json(), null, 2));
  if (!res.ok) process.exit(1);
} catch (err) {
  console.error(`Could not reach ${url}: is \`npm start\` running? (${(err as Error).message})`);
  process.exit(1);
}
