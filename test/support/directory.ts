/**
 * Directory records for tests, written through the directory service on the test system's table (the
 * way `npm run seed` writes the demo): branches, technicians who may take a job, customers under the ids
 * a test names. Each helper makes its record once per system and returns it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SEED_ACTOR } from '../../infra/local/demo-directory.ts';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import type { CustomerInput, StaffInput } from '../../shared/directory/model.ts';
import {
  type DirectoryDeps,
  putBranch,
  putStaff,
  registerCustomer,
  registerUnit,
} from '../../shared/directory/service.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { TestSystem } from './system.ts';

/** The product line of the units tests register (see `intake()`). */
export const TEST_PRODUCT_LINE = 'air-conditioner';

const depsOf = new WeakMap<TestSystem, DirectoryDeps>();

/** Makes a record, or reads the one a parallel call made first. */
async function once<T>(make: () => Promise<T>, read: () => Promise<T | undefined>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const made = await read();
    if (!made) throw err;
    return made;
  }
}

function deps(sys: TestSystem): DirectoryDeps {
  let d = depsOf.get(sys);
  if (!d) {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)), {
      marshallOptions: { removeUndefinedValues: true },
    });
    d = { store: new DynamoDirectoryStore(db, sys.tableName), now: () => new Date() };
    depsOf.set(sys, d);
  }
  return d;
}

/** A branch (Asia/Shanghai, one urban and one suburban zone). */
export async function branch(sys: TestSystem, id = 'main') {
  const d = deps(sys);
  return (
    (await d.store.getBranch(id)) ??
    once(
      () =>
        putBranch(d, SEED_ACTOR, id, {
          name: `Branch ${id}`,
          timezone: 'Asia/Shanghai',
          zones: [
            { name: 'City', kind: 'urban' },
            { name: 'Outskirts', kind: 'suburban' },
          ],
        }),
      () => d.store.getBranch(id),
    )
  );
}

/**
 * A staff member; by default a technician of `main` who may take any test job: active, certified until
 * 2099, skilled on the test product line.
 */
export async function staffMember(sys: TestSystem, id: string, overrides: Partial<StaffInput> = {}) {
  const d = deps(sys);
  const known = await d.store.getStaff(id);
  const same = (k: string, v: unknown) =>
    JSON.stringify((known as Record<string, unknown>)[k]) === JSON.stringify(v);
  if (known && Object.entries(overrides).every(([k, v]) => same(k, v))) return known;
  const input: StaffInput = {
    name: `Technician ${id}`,
    email: `${id}@aftercare.example`,
    branchId: 'main',
    roles: ['technician'],
    skills: [TEST_PRODUCT_LINE],
    certificates: [{ name: 'Service licence', expiresOn: '2099-12-31' }],
    active: true,
    ...overrides,
  };
  await branch(sys, input.branchId);
  return once(
    () => putStaff(d, SEED_ACTOR, id, input),
    () => d.store.getStaff(id),
  );
}

/** Technicians who may take jobs of their branch (`main` unless told). */
export async function technicians(sys: TestSystem, ids: string[], branchId = 'main') {
  return Promise.all(ids.map((id) => staffMember(sys, id, branchId === 'main' ? {} : { branchId })));
}

/** A phone number of its own for a customer id, so test customers never share one. */
export function phoneFor(id: string): string {
  let n = 0;
  for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) % 100_000_000;
  return `+86 139 ${String(n).padStart(8, '0')}`;
}

/** A customer registered under `id` (as an import would), with a phone number of their own. */
export async function customer(
  sys: TestSystem,
  id: string,
  overrides: Partial<CustomerInput> & { name?: string } = {},
) {
  const d = deps(sys);
  return (
    (await d.store.getCustomer(id)) ??
    once(
      () =>
        registerCustomer(
          d,
          SEED_ACTOR,
          {
            name: overrides.name ?? `Customer ${id}`,
            addresses: [{ address: '18 Jiefang Road, Hangzhou', zone: 'urban' }],
            phones: [phoneFor(id)],
            ...overrides,
          },
          { id },
        ),
      () => d.store.getCustomer(id),
    )
  );
}

/** A caller with the technician role whose directory record lets them take jobs of `branchId`. */
export async function asTechnician(sys: TestSystem, id?: string, branchId = 'main') {
  const caller = await sys.as('technician', id);
  await staffMember(sys, caller.sub, branchId === 'main' ? {} : { branchId });
  return caller;
}

/** A product unit of the installed base, owned by `ownerId` (who must exist). */
export async function unit(sys: TestSystem, serialNumber: string, ownerId: string) {
  const d = deps(sys);
  return (
    (await d.store.getUnit(serialNumber)) ??
    once(
      () =>
        registerUnit(d, SEED_ACTOR, {
          serialNumber,
          model: 'AC-3200',
          productLine: TEST_PRODUCT_LINE,
          ownerId,
          purchaseDate: '2026-06-01',
        }),
      () => d.store.getUnit(serialNumber),
    )
  );
}
