/**
 * The README's walkthrough, run as a new user would paste it: the same shell block, only pointed at
 * this test's system (its URL, and the data folder holding its token key).
 */
import { describe, expect, it } from 'vitest';
import { README_API, shellBlock, useReadmeSystem } from '../support/readme.ts';

const { run } = useReadmeSystem('readme');

/** The first block's set-up: seed, the API address, the tokens, and the `json` and `post` helpers. */
function setUp(): string {
  const block = shellBlock('## Calling the API');
  const end = block.indexOf('\n', block.indexOf('post() {'));
  return block.slice(0, end + 1);
}

describe('the README', () => {
  it('walks a case on the seeded directory from the hotline call to the timeline, pasted as written', async () => {
    // Prepare
    const block = shellBlock('## Calling the API');
    expect(block).toContain(README_API);

    // Act
    const { stdout } = await run(block, 60_000);

    // Assess
    expect(stdout).toMatch(/^SR-\d{8}-\d{4}$/m);
    expect(stdout).not.toContain('aftercare.example/problems');
    // Staff read the timeline by name: "<who>: <action>" for every step of the walkthrough.
    for (const action of ['opened', 'assign', 'arrive', 'quote', 'accept-quote', 'record-work', 'sign-off'])
      expect(stdout).toMatch(new RegExp(`^.+: ${action}$`, 'm'));
    expect(stdout).toContain('李伟 Li Wei');
  }, 90_000);

  it('walks self-service on the seeded knowledge base: search, entry, wizard, request, remote resolution', async () => {
    // Prepare
    const block = shellBlock('### Self-service and the knowledge base');

    // Act
    const { stdout } = await run(block, 60_000);

    // Assess
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('NOCOOL: Air conditioner blows warm air');
    expect(stdout).toContain('Clean the filter; if still warm after an hour, request a visit.');
    expect(stdout).toMatch(/^followed NOCOOL$/m);
    expect(stdout).toMatch(/^suggested /m);
    expect(stdout).toContain('completed, solved with BREAKER');
    expect(stdout).toMatch(/"requestsAfterSearch":1/);
    expect(stdout).not.toContain('aftercare.example/problems');
  }, 120_000);
  it('walks a hotline complaint through the workflow: acknowledged, handled twice, closed and in the library', async () => {
    // Prepare: the set-up of the first block, then the complaint block as written
    const script = `${setUp()}${shellBlock('## Complaints and their investigation')}`;
    expect(script).toContain('waiting supervisor_report');

    // Act
    const { stdout } = await run(script, 150_000);

    // Assess
    const [cp] = /CP-\d{8}-\d{4}/.exec(stdout) ?? [];
    expect(cp).toBeDefined();
    expect(stdout).toContain(`Your complaint ${cp} is registered`);
    expect(stdout).toContain(`${cp} supervisor_report`);
    expect(stdout).toContain(`${cp} closed after 2 rounds`);
    expect(stdout).toMatch(/^closed$/m);
    expect(stdout).toContain('Leak after repair');
    expect(stdout).not.toContain('aftercare.example/problems');
  }, 180_000);
});
