/**
 * The catalogue's functions on one machine: each entry file imported once, on first use, like a warm
 * Lambda execution environment; invoked with the event shape its AWS trigger sends.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allFunctions, type FunctionId } from '../../functions/catalog.ts';
import { repoRoot } from '../bundle.ts';
import { lambdaContext } from './lambda-context.ts';

export type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** Invokes catalogue functions by id, or by the function name at the end of a Lambda ARN. */
export class LocalFunctions {
  private readonly loaded = new Map<string, Promise<LambdaHandler>>();

  isFunction(id: string): id is FunctionId {
    return id in allFunctions;
  }

  /** Loads (once) and invokes a function with `event`, with the Lambda timeout the catalogue gives it. */
  async invoke(id: string, event: unknown): Promise<unknown> {
    if (!this.isFunction(id)) throw new Error(`no function ${id} in the catalogue`);
    let handler = this.loaded.get(id);
    if (!handler) {
      const entry = pathToFileURL(join(repoRoot, allFunctions[id].entry)).href;
      handler = import(entry).then((m: { handler: LambdaHandler }) => m.handler);
      this.loaded.set(id, handler);
    }
    const timeoutMs = (allFunctions[id].timeoutSeconds ?? 10) * 1000;
    return (await handler)(event, lambdaContext(id, timeoutMs));
  }
}
