/**
 * Demo warranty, contracts and returns for `npm run seed` and the README walkthrough: the air conditioners'
 * warranty terms (parts 36 months on the compressor class, labour 12), a spring promotion, the published
 * return rules; the compressor and control board of Liu Yang's AC-3200 in Li Wei's van; a maintenance
 * contract of Emma Smith's that ends in three weeks (its renewal notice is due now); and a unit Liu Yang
 * bought three days ago, to return. Written through the services (the same rules as the API); a second run
 * keeps what is there.
 */
import type { Actor } from '../../shared/auth/actor.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { registerUnit } from '../../shared/directory/service.ts';
import type { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { type PartsDeps, putPart, receive } from '../../shared/parts/service.ts';
import { addDays, addMonths, createContract } from '../../shared/warranty/contracts.ts';
import { putReturnRules } from '../../shared/warranty/returns.ts';
import { addPromotion, putTerms } from '../../shared/warranty/service.ts';
import type { WarrantyStore } from '../../shared/warranty/store.ts';
import type { SeedReport } from './demo-directory.ts';

export interface WarrantySeedDeps {
  store: WarrantyStore;
  directory: DynamoDirectoryStore;
  parts: PartsDeps;
  now: () => Date;
  timeZone: string;
}

const LINE = 'air-conditioner';
/** Emma Smith's cassette unit under contract, and the unit Liu Yang bought three days ago. */
export const DEMO_CONTRACT_UNIT = 'AC45-0000107';
export const DEMO_RETURN_UNIT = 'AC32-0009001';

export async function seedWarranty(deps: WarrantySeedDeps, actor: Actor, report: SeedReport): Promise<void> {
  const today = localDay(deps.now(), deps.timeZone);
  const once = async (label: string, exists: () => Promise<unknown>, create: () => Promise<unknown>) => {
    if (await exists()) report.kept.push(label);
    else {
      await create();
      report.created.push(label);
    }
  };
  const line = () => deps.store.lineSettings(LINE);
  await once(
    `warranty terms of ${LINE}`,
    async () => (await line()).terms,
    () =>
      putTerms(deps, actor, LINE, {
        default: { parts: { months: 12 }, labour: { months: 12 } },
        classes: [
          {
            componentClass: 'compressor',
            parts: { months: 36, startBasis: 'installation' },
            labour: { months: 12, startBasis: 'installation' },
          },
        ],
        labourRatePerHour: 120,
      }),
  );
  await once(
    'promotion spring-2026',
    async () => (await line()).promotions.find((p) => p.id === 'spring-2026'),
    () =>
      addPromotion(deps, actor, LINE, {
        id: 'spring-2026',
        name: '春季促销：配件保修延长 6 个月 Spring sale: six more months on parts',
        coverage: 'parts',
        extendMonths: 6,
        purchasedFrom: '2026-01-01',
        purchasedTo: '2026-03-31',
      }),
  );
  await once(
    `return rules of ${LINE}`,
    async () => (await line()).returnRules,
    () =>
      putReturnRules(deps, actor, LINE, {
        returnDays: 7,
        exchangeDays: 15,
        conditions: ['unopened', 'as_new', 'defective'],
        decisionWorkingDays: 3,
        notes: '7 天无理由退货，15 天换货 — returns within 7 days, exchanges within 15',
      }),
  );

  // Parts of Liu Yang's AC-3200 (its components) in Li Wei's van, and the model itself for returns.
  const parts = [
    ['CMP-32', '压缩机 compressor', 850],
    ['PCB-7', '主控板 control board', 260],
    ['AC-3200', 'AC-3200 split air conditioner (returned units)', 2600],
  ] as const;
  for (const [partNumber, name, unitCost] of parts)
    await once(
      `part ${partNumber}`,
      () => deps.parts.store.getPart(partNumber),
      () =>
        putPart(deps.parts, actor, partNumber, {
          name,
          productLines: [LINE],
          unit: 'piece',
          unitCost,
          suppliers: [
            { id: 'sup-hz', name: '杭州恒达配件 Hangzhou Hengda Parts', grade: 'A', leadTimeDays: 2 },
          ],
        }),
    );
  for (const partNumber of ['CMP-32', 'PCB-7'])
    await once(
      `stock of ${partNumber} at van-t-li`,
      () => deps.parts.store.getStock(partNumber, 'van-t-li'),
      () =>
        receive(deps.parts, actor, {
          movementId: `seed-${partNumber}-van-t-li`,
          locationId: 'van-t-li',
          lines: [{ partNumber, quantity: 2 }],
          purchaseReference: 'OPENING-BALANCE',
        }),
    );

  const directory = { store: deps.directory, now: deps.now };
  const unit = (serialNumber: string, model: string, ownerId: string, purchaseDate: string) =>
    once(
      `unit ${serialNumber}`,
      () => deps.directory.getUnit(serialNumber),
      () => registerUnit(directory, actor, { serialNumber, model, productLine: LINE, ownerId, purchaseDate }),
    );
  await unit(DEMO_CONTRACT_UNIT, 'AC-4500 cassette air conditioner', 'C-1002', '2024-04-01');
  await unit(DEMO_RETURN_UNIT, 'AC-3200 split air conditioner', 'C-1001', addDays(today, -3));

  // Ends in three weeks: the one-month notice is due now; Zhao Li follows the renewal up.
  const end = addDays(today, 21);
  await once(
    `maintenance contract of ${DEMO_CONTRACT_UNIT}`,
    async () => (await deps.store.contractsOfUnit(DEMO_CONTRACT_UNIT)).length > 0,
    () =>
      createContract(deps, actor, {
        customerId: 'C-1002',
        units: [DEMO_CONTRACT_UNIT],
        start: addMonths(end, -12),
        end,
        inclusions: { labour: true, parts: true, visitsPerYear: 2, responseHours: 4 },
        price: 1200,
        servicePersonId: 'a-zhao',
      }),
  );
}
