/**
 * The README's walkthrough, run as a new user would paste it: the same shell block, only pointed at
 * this test's system (its URL, and the data folder holding its token key).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/system.ts';
import { useTestSystem } from '../support/system.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aftercare-readme-'));
// Not in memory: the system takes the data folder's lock, through which `npm run seed` and the token
// command find its engine and table, as they find a running `npm start`.
const sys = useTestSystem({ dataDir, ephemeralKeys: false, inMemory: false });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The first `sh` block after `heading`. */
function shellBlock(heading: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const from = readme.indexOf(heading);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block?.[1]) throw new Error(`no sh block after ${heading}`);
  return block[1];
}

/** The first block's set-up: seed, the API address, the tokens, and the `json` and `post` helpers. */
function setUp(): string {
  const block = shellBlock('## Calling the API');
  const end = block.indexOf('\n', block.indexOf('post() {'));
  return block.slice(0, end + 1);
}

const run = (script: string, timeout: number) =>
  promisify(execFile)(
    'bash',
    ['-c', `set -euo pipefail\n${script.replace('API=http://localhost:3000', `API=${sys().url}`)}`],
    {
      cwd: repoRoot,
      env: { ...process.env, AFTERCARE_DATA_DIR: dataDir },
      timeout,
    },
  );

describe('the README', () => {
  it('walks a case on the seeded directory from the hotline call to the timeline, pasted as written', async () => {
    // Prepare
    const block = shellBlock('## Calling the API');
    expect(block).toContain('API=http://localhost:3000');
    const script = `set -euo pipefail\n${block.replace('API=http://localhost:3000', `API=${sys().url}`)}`;

    // Act
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: repoRoot,
      env: { ...process.env, AFTERCARE_DATA_DIR: dataDir },
      timeout: 60_000,
    });

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
    const script = `set -euo pipefail\n${block.replace('API=http://localhost:3000', `API=${sys().url}`)}`;

    // Act
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: repoRoot,
      env: { ...process.env, AFTERCARE_DATA_DIR: dataDir },
      timeout: 60_000,
    });

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
