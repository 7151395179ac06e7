/**
 * The demo parts desk for `npm run seed`: the Hangzhou centre's store and Li Wei's van, three catalogue
 * parts with suppliers, stock with reorder and overstock levels (received as ledger movements, so book
 * and ledger agree from the start), a loaner water heater and a vacuum pump. Written through the parts
 * service; a second run keeps what is there (receipts carry fixed movement ids and apply once).
 */
import type { Actor } from '../../shared/auth/actor.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { PartInput } from '../../shared/parts/model.ts';
import { type PartsDeps, putLocation, putPart, putStockLevels, receive } from '../../shared/parts/service.ts';
import { registerTool } from '../../shared/parts/tools.ts';
import type { SeedReport } from './demo-directory.ts';

const suppliers = {
  hz: { id: 'sup-hz', name: '杭州恒达配件 Hangzhou Hengda Parts', grade: 'A', leadTimeDays: 2 },
  nb: { id: 'sup-nb', name: '宁波精工 Ningbo Precision', grade: 'B', leadTimeDays: 5 },
} as const;

const parts: (PartInput & { partNumber: string })[] = [
  {
    partNumber: 'HE-2000',
    name: '加热管 2 kW heating element',
    productLines: ['water-heater'],
    unit: 'piece',
    unitCost: 120,
    wearPart: true,
    suppliers: [suppliers.hz, suppliers.nb],
  },
  {
    partNumber: 'FM-300',
    name: '室内风机 indoor fan motor',
    productLines: ['air-conditioner'],
    unit: 'piece',
    unitCost: 180,
    wearPart: false,
    suppliers: [suppliers.nb],
  },
  {
    partNumber: 'FL-10',
    name: '空调滤网 air filter',
    productLines: ['air-conditioner'],
    unit: 'piece',
    unitCost: 15,
    wearPart: true,
    suppliers: [suppliers.hz],
  },
];

/** Stock: where, how much, and the levels that raise the alerts. */
const stock = [
  { partNumber: 'HE-2000', locationId: 'main-store', quantity: 6, reorderLevel: 4, overstockLevel: 30 },
  { partNumber: 'FM-300', locationId: 'main-store', quantity: 3, reorderLevel: 1, overstockLevel: 10 },
  { partNumber: 'FL-10', locationId: 'main-store', quantity: 40, reorderLevel: 10, overstockLevel: 100 },
  { partNumber: 'FL-10', locationId: 'van-t-li', quantity: 5, reorderLevel: 0, overstockLevel: 0 },
];

export async function seedParts(deps: PartsDeps, actor: Actor, report: SeedReport): Promise<void> {
  const once = async (label: string, exists: () => Promise<unknown>, create: () => Promise<unknown>) => {
    if (await exists()) report.kept.push(label);
    else {
      await create();
      report.created.push(label);
    }
  };
  await once(
    'stock location main-store',
    () => deps.store.getLocation('main-store'),
    () =>
      putLocation(deps, actor, 'main-store', {
        name: '杭州中心库 Hangzhou store',
        kind: 'warehouse',
        branchId: 'main',
      }),
  );
  await once(
    'stock location van-t-li',
    () => deps.store.getLocation('van-t-li'),
    () =>
      putLocation(deps, actor, 'van-t-li', {
        name: '李伟的车 Li Wei’s van',
        kind: 'van',
        branchId: 'main',
        technicianId: 't-li',
      }),
  );
  for (const { partNumber, ...p } of parts)
    await once(
      `part ${partNumber}`,
      () => deps.store.getPart(partNumber),
      () => putPart(deps, actor, partNumber, p),
    );
  for (const s of stock)
    await once(
      `stock of ${s.partNumber} at ${s.locationId}`,
      () => deps.store.getStock(s.partNumber, s.locationId),
      async () => {
        // Levels first, so the receipt finds the item in range and raises no alert.
        await putStockLevels(deps, actor, s.partNumber, s.locationId, {
          reorderLevel: s.reorderLevel,
          overstockLevel: s.overstockLevel,
        });
        await receive(deps, actor, {
          movementId: `seed-${s.partNumber}-${s.locationId}`,
          locationId: s.locationId,
          lines: [{ partNumber: s.partNumber, quantity: s.quantity }],
          purchaseReference: 'OPENING-BALANCE',
        });
      },
    );
  const tools = [
    [
      'LOANER-WH-01',
      {
        kind: 'loaner',
        name: '备用热水器 loaner water heater',
        model: 'WH-60',
        homeLocationId: 'main-store',
        value: 900,
      },
    ],
    ['TOOL-VAC-01', { kind: 'tool', name: '真空泵 vacuum pump', homeLocationId: 'main-store', value: 2600 }],
  ] as const;
  for (const [serial, t] of tools)
    await once(
      `${t.kind} ${serial}`,
      async () => (await deps.store.getTool(serial)).tool,
      () =>
        registerTool(deps, actor, serial, t).catch((err) => {
          if (!(err instanceof ConflictError)) throw err;
        }),
    );
}
