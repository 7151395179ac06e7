/**
 * Parts fixtures for tests, made through the API as the roles that make them: a warehouse, a technician
 * with a van and an assigned case, catalogue parts, receipts. Plus the parts services on the test
 * system's table, for the scheduled jobs (run the way their schedule runs them).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig } from '../../infra/local/dynamo.ts';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { SesMailer, sesClient } from '../../shared/notify/mailer.ts';
import type { PartsJobDeps } from '../../shared/parts/alerts.ts';
import { DynamoPartsStore } from '../../shared/parts/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { asTechnician, branch, staffMember } from './directory.ts';
import { type Caller, intake, type TestSystem } from './system.ts';

export async function ok<T = any>(res: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`fixture step failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export const uid = () => randomUUID().slice(0, 8);

export interface PartsDesk {
  clerk: Caller;
  dispatcher: Caller;
  manager: Caller;
  agent: Caller;
  warehouse: string;
}

/** A parts clerk (in the directory, with an e-mail), a supervisor, a manager and a warehouse of `main`. */
export async function partsDesk(sys: TestSystem): Promise<PartsDesk> {
  await branch(sys);
  const clerkId = `clerk-${uid()}`;
  await staffMember(sys, clerkId, { roles: ['parts_clerk'], name: 'He Fang' });
  const clerk = await sys.as('parts_clerk', clerkId);
  const warehouse = `wh-${uid()}`;
  await ok(
    clerk.post(`/parts/locations/${warehouse}`, {
      name: 'Main warehouse',
      kind: 'warehouse',
      branchId: 'main',
    }),
  );
  return {
    clerk,
    dispatcher: await sys.as('dispatcher'),
    manager: await sys.as('manager'),
    agent: await sys.as('agent'),
    warehouse,
  };
}

/** A technician of `main` with a van of their own. */
export async function technicianWithVan(sys: TestSystem, desk: PartsDesk) {
  const tech = await asTechnician(sys, `tech-${uid()}`);
  const van = `van-${tech.sub}`;
  await ok(
    desk.clerk.post(`/parts/locations/${van}`, {
      name: `Van of ${tech.sub}`,
      kind: 'van',
      branchId: 'main',
      technicianId: tech.sub,
    }),
  );
  return { tech, van };
}

/** A case registered by reception and assigned to `tech`. */
export async function assignedCase(
  desk: PartsDesk,
  tech: Caller,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const { id } = await ok(desk.agent.post('/cases', intake(overrides)));
  await ok(desk.dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub }));
  return id;
}

/** A catalogue part; a fresh part number unless told. */
export async function catalogPart(
  desk: PartsDesk,
  overrides: Record<string, unknown> = {},
  no = `P-${uid()}`,
) {
  await ok(
    desk.clerk.post(`/parts/catalogue/${no}`, {
      name: 'Heating element 2 kW',
      productLines: ['air-conditioner', 'water-heater'],
      unit: 'piece',
      unitCost: 100,
      suppliers: [{ id: 'sup-1', name: 'Hangzhou Parts Co.', grade: 'A', leadTimeDays: 3 }],
      ...overrides,
    }),
  );
  return no;
}

export async function receive(desk: PartsDesk, locationId: string, partNumber: string, quantity: number) {
  return ok(
    desk.clerk.post('/parts/receipts', {
      movementId: `rcv-${uid()}`,
      locationId,
      lines: [{ partNumber, quantity }],
      purchaseReference: 'PO-2026-001',
    }),
  );
}

/** The stock item of a part at a location, as the API reads it. */
export async function stockOf(caller: Caller, partNumber: string, locationId: string) {
  const body = await ok(caller.get(`/parts/stock?partNumber=${partNumber}&locationId=${locationId}`));
  return body.items[0];
}

/** Every ledger entry of a part (all pages). */
export async function ledgerOf(caller: Caller, partNumber: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(
      caller.get(
        `/parts/ledger?partNumber=${partNumber}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The parts services on the test system's table, with the mailer the local outbox receives. */
export function partsJobDeps(sys: TestSystem): PartsJobDeps {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(sys.dynamoEndpoint)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    store: new DynamoPartsStore(db, sys.tableName),
    cases: new DynamoCaseStore(db, sys.tableName, 'Asia/Shanghai'),
    directory: new DynamoDirectoryStore(db, sys.tableName),
    now,
    mailer: new SesMailer(sesClient, {
      from: 'Aftercare <service@aftercare.example>',
      configurationSet: 'local',
    }),
  };
}
