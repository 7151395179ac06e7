/**
 * `npm run seed [-- --data-dir .data]`: loads the demo directory (infra/local/demo-directory.ts) into the
 * local table — two branches, their staff, customers and product units — and names the seeded staff as
 * SLA escalation contacts of the main branch, the demo knowledge base (infra/local/demo-knowledge.ts) and
 * the demo parts desk (infra/local/demo-parts.ts) and the demo warranty terms, contract and return units
 * (infra/local/demo-warranty.ts). `npm start` seeds nothing by itself; run this once, with
 * or without the system running. Records already there are kept.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoCaseStore } from '../../shared/cases/store.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { SearchIndexCache } from '../../shared/knowledge/service.ts';
import { DynamoKnowledgeStore } from '../../shared/knowledge/store.ts';
import { DynamoPartsStore } from '../../shared/parts/store.ts';
import { parsePolicy } from '../../shared/sla/policy.ts';
import { DynamoSlaStore } from '../../shared/sla/store.ts';
import { DynamoWarrantyStore } from '../../shared/warranty/store.ts';
import { repoRoot } from '../bundle.ts';
import { demoDirectory, SEED_ACTOR, seedDirectory } from './demo-directory.ts';
import { seedKnowledge } from './demo-knowledge.ts';
import { seedParts } from './demo-parts.ts';
import { seedWarranty } from './demo-warranty.ts';
import { withLocalTable } from './local-table.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
const dataDir = resolve(values['data-dir'] ?? process.env.AFTERCARE_DATA_DIR ?? join(repoRoot, '.data'));

try {
  await withLocalTable(dataDir, async (db, tableName) => {
    const now = () => new Date();
    const report = await seedDirectory(
      { store: new DynamoDirectoryStore(db, tableName), now },
      demoDirectory,
    );
    const sla = new DynamoSlaStore(db, tableName);
    for (const [branchId, contacts] of Object.entries(demoDirectory.escalationContacts ?? {})) {
      const current = await sla.getSetting('policy', branchId);
      if (current.updatedAt) continue;
      await sla.putSetting(
        'policy',
        branchId,
        parsePolicy({ escalationContacts: contacts }),
        SEED_ACTOR.sub,
        now().toISOString(),
      );
      report.created.push(`SLA escalation contacts of ${branchId}`);
    }
    const kb = await seedKnowledge({
      store: new DynamoKnowledgeStore(db, tableName),
      index: new SearchIndexCache(),
      now,
      timeZone: 'Asia/Shanghai',
    });
    if (kb.created) report.created.push(`${kb.created} knowledge entries`);
    if (kb.kept) report.kept.push(`${kb.kept} knowledge entries`);
    // The parts desk: store, Li Wei's van, parts, stock on the ledger, a loaner and a tool.
    await seedParts(
      {
        store: new DynamoPartsStore(db, tableName),
        cases: new DynamoCaseStore(db, tableName, 'Asia/Shanghai'),
        directory: new DynamoDirectoryStore(db, tableName),
        now,
      },
      SEED_ACTOR,
      report,
    );
    // Warranty terms, a promotion, return rules, a contract ending in three weeks, a unit to return.
    await seedWarranty(
      {
        store: new DynamoWarrantyStore(db, tableName),
        directory: new DynamoDirectoryStore(db, tableName),
        parts: {
          store: new DynamoPartsStore(db, tableName),
          cases: new DynamoCaseStore(db, tableName, 'Asia/Shanghai'),
          directory: new DynamoDirectoryStore(db, tableName),
          now,
        },
        now,
        timeZone: 'Asia/Shanghai',
      },
      SEED_ACTOR,
      report,
    );
    console.log(
      [
        report.created.length ? `Created: ${report.created.join(', ')}.` : 'Nothing new.',
        ...(report.kept.length ? [`Already there: ${report.kept.join(', ')}.`] : []),
        '',
        'Tokens for the seeded people: npm run token -- --staff d-wang   (also a-zhao, t-li, t-zhang, t-chen, m-sun, p-he, o-ops)',
        'and for a customer: npm run token -- --customer C-1001',
      ].join('\n'),
    );
  });
} catch (err) {
  console.error(`seed: ${(err as Error).message}`);
  process.exit(1);
}
