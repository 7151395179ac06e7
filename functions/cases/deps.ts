/** Wiring of the case functions: the store built once per execution environment, from the validated env. */
import type { CaseDeps } from '../../shared/cases/service.ts';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: CaseDeps | undefined;

export function caseDeps(env: { TABLE_NAME: string; TIME_ZONE: string }): CaseDeps {
  deps ??= {
    store: new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE),
    directory: new DynamoDirectoryStore(documentClient(), env.TABLE_NAME),
    now,
    timeZone: env.TIME_ZONE,
  };
  return deps;
}
