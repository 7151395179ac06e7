/**
 * `npm run surveys:dispatch [-- --today YYYY-MM-DD] [--port 3000]`: triggers the morning survey run of
 * the system `npm start` is running (the same handler the schedule invokes on AWS) and prints its report.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    today: { type: 'string' },
  },
});

const url = `http://127.0.0.1:${values.port}/_local/run/survey-dispatch`;
try {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values.today ? { today: values.today } : {}),
  });
  const body = await res.json();
  console.log(JSON.stringify(body, null, 2));
  console.log(`\nOutbox: http://127.0.0.1:${values.port}/_local/outbox`);
  if (!res.ok) process.exit(1);
} catch (err) {
  console.error(`Could not reach ${url}: is \`npm start\` running? (${(err as Error).message})`);
  process.exit(1);
}
