/**
 * The README's warranty walkthrough, pasted as written against this test's system on the seeded demo data:
 * a unit's warranty per component, the category decided at intake and again at diagnosis, the bill with a
 * free and a paid part and its invoice, the renewal notice and task (once), a return applied for, decided,
 * shipped and taken into stock.
 */
import { describe, expect, it } from 'vitest';
import { shellBlock, useReadmeSystem } from '../support/readme.ts';

const { run } = useReadmeSystem('warranty-readme');

describe('the README', () => {
  it('walks warranty, billing, the renewal notice and a return on the demo data, pasted as written', async () => {
    // Prepare
    const block = shellBlock('### Warranty, contracts and returns on the demo data');

    // Act
    const { stdout } = await run(block, 120_000);

    // Assess
    expect(stdout).toContain('CMP-32: parts covered 2028-05-20');
    expect(stdout).toContain('PCB-7: parts ended 2026-05-20');
    expect(stdout).toMatch(/^A: the unit's warranty ended 2026-05-20$/m);
    expect(stdout).toMatch(/^C: in warranty: Compressor$/m);
    expect(stdout).toMatch(
      /^压缩机 compressor: 850 warranty \(Compressor: parts warranty until 2028-05-20\)$/m,
    );
    expect(stdout).toMatch(/^主控板 control board: 260 paid /m);
    expect(stdout).toMatch(/^Labour, 90 min: 180 paid /m);
    expect(stdout).toMatch(/^INV-\d{8}-\d{4}: 440 CNY to pay$/m);
    expect(stdout).toContain('1 notice(s) sent, 1 task(s)');
    expect(stdout).toContain('0 sent, 1 already sent');
    expect(stdout).toMatch(/^emma\.smith@example\.com: Your maintenance contract MC-\d{8}-\d{4} ends on /m);
    expect(stdout).toMatch(/^call C-1002 about MC-/m);
    expect(stdout).toContain('applied, eligible: true');
    expect(stdout).toContain('approved, on time: true');
    expect(stdout).toMatch(/^shipped$/m);
    expect(stdout).toMatch(/^received: ledger movement ret-RT-\d{8}-\d{4}$/m);
  }, 180_000);
});
