/**
 * Bundles every Lambda function of the catalogue with one esbuild call into
 * `.build/lambda/<functionId>/index.mjs`, the exact code CDK deploys (`Code.fromAsset`) and the cold-start
 * benchmark measures. The CDK app calls {@link bundleFunctions} before synth; `npm run bundle` runs it alone.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import * as catalog from '../functions/catalog.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The catalogue's function maps, by how the function is started. Maps a catalogue does not (yet) export
 * are skipped, so adding one there is enough to have it bundled.
 */
const FUNCTION_MAPS = ['httpFunctions', 'consumerFunctions', 'jobFunctions', 'streamFunctions'] as const;
type Catalog = typeof catalog;
type FunctionMaps = Pick<Catalog, Extract<keyof Catalog, (typeof FUNCTION_MAPS)[number]>>;

/** Catalogue id of any deployed function. */
export type FunctionId = { [M in keyof FunctionMaps]: keyof FunctionMaps[M] }[keyof FunctionMaps] & string;

/** Every deployed function — HTTP, event consumer, job, stream — by its catalogue id. */
export const lambdaFunctions = {} as Record<FunctionId, catalog.FunctionSpec>;
for (const [name, map] of Object.entries(catalog)) {
  if (!(FUNCTION_MAPS as readonly string[]).includes(name)) continue;
  for (const [id, spec] of Object.entries(map as Record<string, catalog.FunctionSpec>)) {
    // One id space (asset folders, construct ids): a clash would deploy the wrong code.
    if (id in lambdaFunctions) throw new Error(`function id ${id} is used twice in functions/catalog.ts`);
    lambdaFunctions[id as FunctionId] = spec;
  }
}

export const LAMBDA_BUILD_DIR = join(repoRoot, '.build', 'lambda');
/** Kept beside, not inside, the asset folders so it is never uploaded. */
export const METAFILE_PATH = join(repoRoot, '.build', 'lambda-meta.json');

/** The folder `lambda.Code.fromAsset` deploys for one function (handler `index.handler`). */
export const functionAssetDir = (id: FunctionId): string => join(LAMBDA_BUILD_DIR, id);

// ESM output cannot `require`; CommonJS dependencies bundled into it still call it. The alias keeps the
// banner's import from clashing with a bundled module that imports `createRequire` itself.
const CJS_SHIM =
  "import { createRequire as __aftercareCreateRequire } from 'node:module'; const require = __aftercareCreateRequire(import.meta.url);";

export interface BundleResult {
  outDir: string;
  functionIds: FunctionId[];
  metafile: Metafile;
}

/** Bundles all functions (one esbuild build, one entry point per function), overwriting earlier output. */
export async function bundleFunctions(): Promise<BundleResult> {
  const functionIds = Object.keys(lambdaFunctions) as FunctionId[];
  mkdirSync(LAMBDA_BUILD_DIR, { recursive: true });
  // Only folders of functions no longer in the catalogue go; the others are overwritten in place, so a
  // benchmark or synth reading them meanwhile never finds them missing.
  for (const dir of readdirSync(LAMBDA_BUILD_DIR)) {
    if (!(dir in lambdaFunctions)) rmSync(join(LAMBDA_BUILD_DIR, dir), { recursive: true, force: true });
  }
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: Object.fromEntries(functionIds.map((id) => [`${id}/index`, lambdaFunctions[id].entry])),
    outdir: LAMBDA_BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // The AWS SDK is bundled too: the runtime's copy is a different version, and we measure these bundles.
    packages: 'bundle',
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    banner: { js: CJS_SHIM },
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(METAFILE_PATH, JSON.stringify(result.metafile));
  return { outDir: LAMBDA_BUILD_DIR, functionIds, metafile: result.metafile };
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntryPoint) {
  const started = performance.now();
  const { functionIds, metafile } = await bundleFunctions();
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.mjs'))
      console.log(`${relative(repoRoot, file).padEnd(48)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
  }
  console.log(`bundled ${functionIds.length} functions in ${Math.round(performance.now() - started)} ms`);
}
