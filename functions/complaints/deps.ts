/** Wiring of the complaint functions: the store built once per execution environment. */
import type { ComplaintDeps } from '../../shared/complaints/service.ts';
import { DynamoComplaintStore } from '../../shared/complaints/store.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: ComplaintDeps | undefined;

export function complaintDeps(env: { TABLE_NAME: string; TIME_ZONE: string }): ComplaintDeps {
  deps ??= {
    complaints: new DynamoComplaintStore(documentClient(), env.TABLE_NAME),
    timeZone: env.TIME_ZONE,
  };
  return deps;
}
