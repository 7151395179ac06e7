/**
 * Wiring of the API functions: the environment validated once, the store and publisher built once
 * per execution environment (outside the handler, reused across invocations).
 */
import type { CaseDeps } from '../../shared/cases/service.ts';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { apiEnvSchema, loadEnv } from '../../shared/config/env.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: CaseDeps | undefined;

export function caseDeps(): CaseDeps {
  if (!deps) {
    const env = loadEnv(apiEnvSchema);
    deps = {
      store: new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE),
      now,
      timeZone: env.TIME_ZONE,
    };
  }
  return deps;
}
