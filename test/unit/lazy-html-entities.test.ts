/**
 * postal-mime's entity table, as the deployed bundles ship it (`lazyHtmlEntities` in infra/bundle.ts):
 * built with the functions' own build options, it must answer every lookup as the library's literal
 * does, and postal-mime bundled with it must turn an HTML-only reply into the same text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS, repoRoot } from '../../infra/bundle.ts';

const ENTITIES_FILE = join(repoRoot, 'node_modules/postal-mime/dist/esm/html-entities.js');

let outDir: string;

/** Bundles `contents` (resolved from `resolveDir`) as a deployed function is bundled, and imports it. */
async function bundled(name: string, contents: string, resolveDir = repoRoot): Promise<Record<string, any>> {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    ...LAMBDA_BUILD_OPTIONS,
    splitting: false,
    sourcemap: false,
    logLevel: 'silent',
    stdin: { contents, resolveDir, loader: 'js' },
    outfile,
  });
  return import(pathToFileURL(outfile).href);
}

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'aftercare-entities-'));
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('lazyHtmlEntities', () => {
  it('answers every lookup as postal-mime’s own table does', async () => {
    // Prepare
    const { htmlEntities: original } = (await import(pathToFileURL(ENTITIES_FILE).href)) as {
      htmlEntities: Record<string, string>;
    };

    // Act
    const { htmlEntities: shipped } = await bundled(
      'table',
      `export { htmlEntities } from ${JSON.stringify(ENTITIES_FILE)};`,
    );

    // Assess: the lazy form (no own keys until parsed), with the same entries, and nothing else
    expect(Object.keys(shipped)).toEqual([]);
    const names = Object.keys(original);
    expect(names.length).toBeGreaterThan(2000);
    for (const name of names) expect(shipped[name], name).toBe(original[name]);
    expect(shipped['&notanentity;']).toBeUndefined();
    expect('&amp;' in shipped).toBe(true);
    expect('&notanentity;' in shipped).toBe(false);
  });

  it('lets the bundled parser decode the entities of an HTML part like the library itself', async () => {
    // Prepare
    // Two parts, one plain and one HTML only: postal-mime renders the HTML one into the text body, decoding
    // its entities with the table.
    const raw = [
      'From: a@example.com',
      'To: survey+abc@reply.example',
      'Subject: re',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Scores:',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Caf&eacute; &amp; cr&egrave;me &AElig &frac12; &zwnj;&hearts; &notanentity; &#x4e2d;&#25991; &lt;4434&gt;</p>',
      '--b--',
      '',
    ].join('\r\n');
    const expected = await PostalMime.parse(raw);

    // Act
    const { PostalMime: Shipped } = await bundled(
      'parser',
      "export { default as PostalMime } from 'postal-mime';",
    );
    const parsed = await Shipped.parse(raw);

    // Assess
    expect(parsed.text).toBe(expected.text);
    expect(parsed.text).toContain('Café & crème Æ ½ \u200c♥ &notanentity; 中文 <4434>');
  });

  it('fails the build when postal-mime no longer ships the table as an object of strings', async () => {
    // Prepare: a postal-mime whose html-entities module exports a Map
    const fake = join(outDir, 'fake', 'node_modules', 'postal-mime', 'dist', 'esm');
    mkdirSync(fake, { recursive: true });
    writeFileSync(
      join(fake, '..', '..', 'package.json'),
      JSON.stringify({ name: 'postal-mime', type: 'module' }),
    );
    writeFileSync(join(fake, 'html-entities.js'), "export const htmlEntities = new Map([['&amp;', '&']]);\n");

    // Act
    const built = bundled('fake', `export * from ${JSON.stringify(join(fake, 'html-entities.js'))};`);

    // Assess
    await expect(built).rejects.toThrow(/no longer exports an htmlEntities table of strings/);
  });
});
