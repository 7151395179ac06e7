/**
 * Cold start (issue 9): importing a function builds none of the schemas it declares or imports; each is
 * built when an invocation first uses it (`lazySchema`). `npm run bench -- cold` measures the time; this
 * catches a module-scope parse or schema access that would quietly undo it.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { allFunctions } from '../../functions/catalog.ts';
import { repoRoot } from '../../infra/bundle.ts';

describe('cold start', () => {
  beforeEach(() => {
    // Every function is imported into a module graph of its own, as in its execution environment.
    vi.resetModules();
  });

  it.each(Object.entries(allFunctions))('importing %s builds no schema', async (_id, spec) => {
    // Act
    await import(join(repoRoot, spec.entry));
    const { lazySchemasBuilt } = await import('../../shared/validation.ts');

    // Assess
    expect(lazySchemasBuilt()).toBe(0);
  });
});
