/** The validated environment of one catalogue function, read once per execution environment. */
import type * as z from 'zod/mini';
import type { DomainModule } from '../../functions/spec.ts';
import { loadEnv } from '../config/env.ts';

export type EnvOf<M extends DomainModule, F extends keyof M['functions']> = z.infer<M['functions'][F]['env']>;

/**
 * A reader of the function's environment: validated against its catalogue schema on the first call (a
 * bad environment fails that invocation loudly), then cached. Throws at once for an undeclared function.
 */
export function functionEnv<M extends DomainModule, F extends keyof M['functions'] & string>(
  module: M,
  fn: F,
): () => EnvOf<M, F> {
  const spec = module.functions[fn];
  if (!spec) throw new Error(`${module.name} declares no function ${fn}`);
  let env: EnvOf<M, F> | undefined;
  return () => {
    env ??= loadEnv(spec.env) as EnvOf<M, F>;
    return env;
  };
}
