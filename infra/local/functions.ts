/**
 * The catalogue's functions on one machine: each entry file imported once, on first use, like a warm
 * Lambda execution environment; invoked with the event shape its AWS trigger sends, within the timeout
 * the catalogue gives it (Lambda's `timeout`). HTTP handlers and background functions run in separate
 * client lanes (`shared/store/client.ts`), so each kind has its own connection pool, as separate Lambda
 * environments would.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allFunctions, type FunctionId } from '../../functions/catalog.ts';
import { inClientLane } from '../../shared/store/client.ts';
import { repoRoot } from '../bundle.ts';
import { lambdaContext } from './lambda-context.ts';

export type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** Lambda's default timeout in the catalogue's terms. */
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** An invocation ran past its function's timeout (Lambda reports `Task timed out`). */
export class InvocationTimeoutError extends Error {
  constructor(
    readonly functionId: string,
    readonly timeoutSeconds: number,
  ) {
    super(`${functionId} timed out after ${timeoutSeconds} s`);
    this.name = 'InvocationTimeoutError';
  }
}

/** What Lambda's `REPORT` line says of one invocation: which function, how long its handler ran. */
export interface InvocationReport {
  functionId: string;
  /** Milliseconds from the handler's call to its answer (Lambda's `Duration`), not counting the first load. */
  durationMs: number;
  ok: boolean;
}

/** Invokes catalogue functions by id, or by the function name at the end of a Lambda ARN. */
export class LocalFunctions {
  private readonly loaded = new Map<string, Promise<LambdaHandler>>();
  private readonly observers = new Set<(report: InvocationReport) => void>();

  /**
   * @param timeoutScale multiplies every timeout (tests: one process on a few shared cores hosts every
   *   function at once, where Lambda gives each invocation a CPU of its own); 1 by default.
   */
  constructor(private readonly timeoutScale = 1) {}

  /** Calls `observer` after every invocation with its report; returns the call that stops it. */
  observe(observer: (report: InvocationReport) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  isFunction(id: string): id is FunctionId {
    return id in allFunctions;
  }

  /** Loads (once) and invokes a function with `event`; rejects with {@link InvocationTimeoutError} past its timeout. */
  async invoke(id: string, event: unknown): Promise<unknown> {
    if (!this.isFunction(id)) throw new Error(`no function ${id} in the catalogue`);
    const spec = allFunctions[id];
    let handler = this.loaded.get(id);
    if (!handler) {
      const entry = pathToFileURL(join(repoRoot, spec.entry)).href;
      handler = import(entry).then((m: { handler: LambdaHandler }) => m.handler);
      this.loaded.set(id, handler);
    }
    const h = await handler;
    const seconds = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * this.timeoutScale;
    const lane = spec.trigger.kind === 'http' ? 'api' : 'background';
    let timer: NodeJS.Timeout | undefined;
    // Unlike Lambda, the runtime cannot freeze a handler that ran out of time: it keeps going in the
    // background, but its caller gets the timeout, as with Lambda.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InvocationTimeoutError(id, seconds)), seconds * 1000);
    });
    const started = performance.now();
    let ok = false;
    try {
      const result = await Promise.race([
        inClientLane(lane, () => h(event, lambdaContext(id, seconds * 1000))),
        timeout,
      ]);
      ok = true;
      return result;
    } finally {
      clearTimeout(timer);
      if (this.observers.size) {
        const report = { functionId: id, durationMs: performance.now() - started, ok };
        for (const observer of this.observers) observer(report);
      }
    }
  }
}
