/**
 * Bundles every Lambda function of the catalogue with one esbuild call into
 * `.build/lambda/<functionId>/index.mjs`, the exact code CDK deploys (`Code.fromAsset`) and the cold-start
 * benchmark measures. The CDK app calls {@link bundleFunctions} before synth; `npm run bundle` runs it alone.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { allFunctions, allRoutes, type FunctionId } from '../functions/catalog.ts';
import { openApiDocument } from '../shared/http/openapi.ts';

export type { FunctionId };

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every deployed function — HTTP, event consumer, job, stream — by its catalogue id. */
export const lambdaFunctions = allFunctions;

export const LAMBDA_BUILD_DIR = join(repoRoot, '.build', 'lambda');
/** Kept beside, not inside, the asset folders so it is never uploaded. */
export const METAFILE_PATH = join(repoRoot, '.build', 'lambda-meta.json');

/** The folder `lambda.Code.fromAsset` deploys for one function (handler `index.handler`). */
export const functionAssetDir = (id: FunctionId): string => join(LAMBDA_BUILD_DIR, id);

// ESM output cannot `require`; CommonJS dependencies bundled into it still call it. The alias keeps the
// banner's import from clashing with a bundled module that imports `createRequire` itself.
const CJS_SHIM =
  "import { createRequire as __aftercareCreateRequire } from 'node:module'; const require = __aftercareCreateRequire(import.meta.url);";

/**
 * postal-mime's table of HTML named character references (`html-entities.js`: 2,231 entries, 46 KB) is
 * one object literal V8 parses and builds when `survey-inbound` is imported, though it is only looked up
 * (`htmlEntities[name]` in its `text-format.js`, the table's only use) when postal-mime renders an HTML
 * part without a text alternative into a message's text. This turns the module into the same table kept
 * as a JSON string and parsed on the first lookup. Measured (fresh processes, CPU time, median of 61): importing the table costs 2.3 ms
 * as shipped, 1.8 ms as `JSON.parse` at import, 0.5 ms lazy, of a ~75 ms DynamoDB-only baseline: ~0.025×
 * off the function's cold start. The build fails if postal-mime ever ships the table in another form.
 */
export const lazyHtmlEntities: Plugin = {
  name: 'lazy-html-entities',
  setup(b) {
    b.onLoad({ filter: /[\\/]postal-mime[\\/]dist[\\/]esm[\\/]html-entities\.js$/ }, async (args) => {
      const { htmlEntities } = (await import(pathToFileURL(args.path).href)) as { htmlEntities?: unknown };
      const table = htmlEntities as Record<string, unknown> | undefined;
      if (
        typeof table !== 'object' ||
        table === null ||
        Object.getPrototypeOf(table) !== Object.prototype ||
        Object.keys(table).length < 1000 ||
        !Object.values(table).every((v) => typeof v === 'string')
      )
        throw new Error(
          `${args.path} no longer exports an htmlEntities table of strings: review lazyHtmlEntities`,
        );
      const contents = `const source = ${JSON.stringify(JSON.stringify(table))};
let table;
const lookup = () => (table ??= JSON.parse(source));
export const htmlEntities = new Proxy({}, { get: (_, name) => lookup()[name], has: (_, name) => name in lookup() });
`;
      return { contents, loader: 'js' };
    });
  },
};

/** How every deployed function is built (the cold-start benchmark builds its baseline the same way). */
export const LAMBDA_BUILD_OPTIONS = {
  absWorkingDir: repoRoot,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
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
  plugins: [lazyHtmlEntities],
} as const satisfies BuildOptions;

/**
 * Values fixed at build time, per function: the OpenAPI function serves the document generated here
 * instead of loading the generator and every domain's routes at its cold start.
 */
function buildTimeDefines(): Partial<Record<FunctionId, Record<string, string>>> {
  return {
    openapi: { AFTERCARE_OPENAPI_DOCUMENT: JSON.stringify(JSON.stringify(openApiDocument(allRoutes))) },
  };
}

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
  // One split build per function, into its own asset folder: code behind a dynamic `import()` (a client
  // only some invocations need, the SDK's less common credential providers) becomes a chunk beside
  // `index.mjs`, loaded when first used; everything else stays in the one entry file.
  const defines = buildTimeDefines();
  const results = await Promise.all(
    functionIds.map((id) =>
      build({
        ...LAMBDA_BUILD_OPTIONS,
        entryPoints: { index: lambdaFunctions[id].entry },
        outdir: functionAssetDir(id),
        ...(defines[id] ? { define: defines[id] } : {}),
      }),
    ),
  );
  const metafile: Metafile = { inputs: {}, outputs: {} };
  for (const [i, r] of results.entries()) {
    // Chunks of an earlier build (their names are content hashes) would ship as dead weight.
    const dir = functionAssetDir(functionIds[i] as FunctionId);
    const written = new Set(Object.keys(r.metafile.outputs).map((f) => resolve(repoRoot, f)));
    for (const file of readdirSync(dir))
      if (!written.has(join(dir, file))) rmSync(join(dir, file), { force: true });
    Object.assign(metafile.inputs, r.metafile.inputs);
    Object.assign(metafile.outputs, r.metafile.outputs);
  }
  writeFileSync(METAFILE_PATH, JSON.stringify(metafile));
  return { outDir: LAMBDA_BUILD_DIR, functionIds, metafile };
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
