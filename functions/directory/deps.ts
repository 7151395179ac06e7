/** Wiring of the directory function: the store built once per execution environment. */
import type { DirectoryDeps } from '../../shared/directory/service.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: DirectoryDeps | undefined;

export function directoryDeps(env: { TABLE_NAME: string }): DirectoryDeps {
  deps ??= { store: new DynamoDirectoryStore(documentClient(), env.TABLE_NAME), now };
  return deps;
}
