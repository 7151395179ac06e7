/** Wiring of the case functions: the store built once per execution environment, from the validated env. */
import type { CaseDeps } from '../../shared/cases/service.ts';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';
import { decideCaseCategory } from '../../shared/warranty/service.ts';
import { DynamoWarrantyStore } from '../../shared/warranty/store.ts';

let deps: CaseDeps | undefined;

export function caseDeps(env: { TABLE_NAME: string; TIME_ZONE: string }): CaseDeps {
  const directory = new DynamoDirectoryStore(documentClient(), env.TABLE_NAME);
  // The category comes from the unit's contracts and warranty (the warranty domain decides it).
  const warranty = { store: new DynamoWarrantyStore(documentClient(), env.TABLE_NAME), directory };
  deps ??= {
    store: new DynamoCaseStore(documentClient(), env.TABLE_NAME, env.TIME_ZONE),
    directory,
    now,
    timeZone: env.TIME_ZONE,
    coverage: (q) => decideCaseCategory(warranty, q),
  };
  return deps;
}
