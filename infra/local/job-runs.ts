/**
 * `POST /_local/run/contract-renewals` and `POST /_local/run/courtesy-calls` (JSON body optional:
 * `{ "today": "YYYY-MM-DD" }`): runs the daily contract renewal run, or the month's courtesy call lists,
 * now, through the same handler their schedules invoke, and answers with its report.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SideRoute } from './server.ts';

type Invoke = (functionId: string, event: unknown) => Promise<unknown>;

/** Scheduled jobs an operator may run by hand locally: path name → catalogue function. */
const jobs: Record<string, { fn: string; input: Record<string, unknown> }> = {
  'contract-renewals': { fn: 'sla-timer', input: { kind: 'warranty-run', run: 'renewals' } },
  'courtesy-calls': { fn: 'sla-timer', input: { kind: 'warranty-run', run: 'courtesy' } },
};

export function jobRuns(invoke: Invoke): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const match = /^\/_local\/run\/([a-z-]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const job = match?.[1] ? jobs[match[1]] : undefined;
    if (!job || req.method !== 'POST') return false;
    return answerRun(body, res, async (input) => {
      // The timer target answers `{ outcome }`: the run's report.
      const result = (await invoke(job.fn, { ...(input as object), ...job.input })) as { outcome?: unknown };
      return result?.outcome ?? result;
    });
  };
}

/**
 * Runs a job by hand: the request's JSON body (optional, `{}` when empty) goes to `run`, whose report is
 * the answer; a body that is not JSON is a 400, a run that throws a 500.
 */
export async function answerRun(
  body: Buffer,
  res: ServerResponse,
  run: (input: unknown) => Promise<unknown>,
): Promise<true> {
  let input: unknown = {};
  try {
    input = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'the body must be JSON, e.g. {"today":"2026-11-23"}, or empty' }));
    return true;
  }
  try {
    const report = await run(input);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(report));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: (err as Error).message }));
  }
  return true;
}
