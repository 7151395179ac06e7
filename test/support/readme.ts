/**
 * The README's walkthroughs, run as a new user would paste them: its shell blocks as written, only pointed
 * at a test system (its URL, and the data folder holding its token key).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { repoRoot } from '../../infra/local/system.ts';
import { type TestSystem, useTestSystem } from './system.ts';

/** The address the README's blocks call, replaced by the test system's. */
export const README_API = 'API=http://localhost:3000';

/** The first `sh` block after `heading`. */
export function shellBlock(heading: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const from = readme.indexOf(heading);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block?.[1]) throw new Error(`no sh block after ${heading}`);
  return block[1];
}

export interface ReadmeSystem {
  sys: () => TestSystem;
  /** Runs `script` with bash (`set -euo pipefail`) against the system, from the repository's root. */
  run(script: string, timeout: number): Promise<{ stdout: string; stderr: string }>;
}

/**
 * A test system on a data folder of its own (`aftercare-<name>-…`, removed after the file). Not in
 * memory: the system takes the data folder's lock, through which `npm run seed` and the token command
 * find its engine and table, as they find a running `npm start`.
 */
export function useReadmeSystem(name: string): ReadmeSystem {
  const dataDir = mkdtempSync(join(tmpdir(), `aftercare-${name}-`));
  const sys = useTestSystem({ dataDir, ephemeralKeys: false, inMemory: false });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  return {
    sys,
    run: (script, timeout) =>
      promisify(execFile)(
        'bash',
        ['-c', `set -euo pipefail\n${script.replace(README_API, `API=${sys().url}`)}`],
        { cwd: repoRoot, env: { ...process.env, AFTERCARE_DATA_DIR: dataDir }, timeout },
      ),
  };
}
