/**
 * `npm run surveys:dispatch [-- --today YYYY-MM-DD] [--port 3000]`: triggers the morning survey run of
 * the system `npm start` is running (the same handler the schedule invokes on AWS) and prints its report.
 * Without `--port` it talks to the system `npm start` last started (its address is kept in the data folder).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readLock } from './lock.ts';
import { repoRoot } from './system.ts';

const usage = `usage: npm run surveys:dispatch -- [--today YYYY-MM-DD] [--port N] [--data-dir DIR]

Runs the morning survey run of the system \`npm start\` is running and prints its report.
  --today     the day the run is for (yesterday's completed cases get cards); default: today
  --port      the port of the running system; default: the one \`npm start\` last used
  --data-dir  the data folder \`npm start\` uses (default .data)`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    today: { type: 'string' },
    'data-dir': { type: 'string', default: join(repoRoot, '.data') },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

function baseUrl(): string {
  if (values.port) return `http://127.0.0.1:${values.port}`;
  // The running `npm start` records its URL in the data folder's lock.
  const running = readLock(values['data-dir'])?.url;
  if (running) return running;
  return `http://127.0.0.1:${process.env.PORT ?? '3000'}`;
}

const base = baseUrl();
const url = `${base}/_local/run/survey-dispatch`;
try {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values.today ? { today: values.today } : {}),
  });
  const body = await res.json();
  console.log(JSON.stringify(body, null, 2));
  console.log(`\nOutbox: ${base}/_local/outbox`);
  if (!res.ok) process.exit(1);
} catch (err) {
  console.error(`Could not reach ${url}: is \`npm start\` running? (${(err as Error).message})`);
  process.exit(1);
}
