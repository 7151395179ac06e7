/**
 * The README's parts walkthrough, pasted as written against this test's system on the seeded demo data:
 * requisition, approval, issue, consumption on a case, the repair card, stock and ledger agreeing, and
 * the reorder alert reaching the parts clerk's mailbox.
 */
import { describe, expect, it } from 'vitest';
import { shellBlock, useReadmeSystem } from '../support/readme.ts';
import { readOutbox } from '../support/surveys.ts';

const { sys, run } = useReadmeSystem('parts-readme');

describe('the README', () => {
  it('walks a part from requisition to the repair card on the demo data, and the reorder alert reaches the outbox', async () => {
    // Prepare
    const block = shellBlock('### Spare parts on the demo data');

    // Act
    const { stdout } = await run(block, 120_000);
    await sys().bus.idle();
    const alerts = (await readOutbox(sys())).filter((m) => m.subject.includes('reorder alert: HE-2000'));

    // Assess
    expect(stdout).toContain('pending, 240, approved by a supervisor');
    expect(stdout).toContain('approved');
    expect(stdout).toContain('main-store -2 → 4, van-t-li 2 → 2');
    expect(stdout).toContain('consumption');
    expect(stdout).toContain('1 × 加热管 2 kW heating element (WH-60) = 120');
    expect(stdout).toContain('main-store: 4 on hand, ledger #2, low');
    expect(stdout).toContain('van-t-li: 1 on hand, ledger #2, ok');
    expect(stdout).toContain('van-t-li #2 consumption -1 → 1');
    expect(stdout).toContain('HE-2000 at main-store');
    expect(alerts.map((m) => String(m.to))).toEqual([expect.stringContaining('he.fang@aftercare.example')]);
  }, 180_000);
});
