// Build step: bundles the app and scripts (cdktf external), and every Lambda handler into a
// deterministic zip, so synth never runs esbuild or a zip child process.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const assetsDir = join(dist, 'assets');
// The earliest DOS timestamp: zip entries carry no build time, so equal inputs give equal bytes.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

function walk(dir, match) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p, match);
    return match(e.name) ? [p] : [];
  });
}

export function assetName(entry) {
  const rel = relative(join(root, 'functions'), entry).split(sep);
  const base = rel.pop().replace(/\.handler\.ts$/, '');
  return [...rel, base].join('-');
}

function zipDeterministic(files) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const { name, contents } of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
      zip.addBuffer(contents, name, {
        mtime: FIXED_MTIME,
        mode: 0o100644,
        forceDosTimestamp: true,
      });
    }
    zip.end();
    const chunks = [];
    zip.outputStream.on('data', (c) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function bundleHandler(entry) {
  const name = assetName(entry);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    // Error classes are named after themselves (new.target.name): keep names through minification.
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    outfile: join(dist, 'functions', name, 'index.js'),
    absWorkingDir: root,
    logLevel: 'error',
  });
  mkdirSync(join(dist, 'functions', name), { recursive: true });
  for (const f of result.outputFiles) writeFileSync(f.path, f.contents); // unzipped copy, for the cold-init bench
  const files = result.outputFiles.map((f) => ({
    name: f.path.split(sep).pop(),
    contents: Buffer.from(f.contents),
  }));
  const zip = await zipDeterministic(files);
  writeFileSync(join(assetsDir, `${name}.zip`), zip);
  return [name, { bytes: zip.length, sha256: createHash('sha256').update(zip).digest('base64') }];
}

async function bundleNodeEntries(entries, outdir, outbase = root) {
  if (entries.length === 0) return;
  await build({
    entryPoints: entries,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    outdir,
    outbase,
    absWorkingDir: root,
    logLevel: 'error',
  });
}

export async function main() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(assetsDir, { recursive: true });
  const handlers = walk(join(root, 'functions'), (n) => n.endsWith('.handler.ts')).sort();
  const [bundles] = await Promise.all([
    Promise.all(handlers.map(bundleHandler)),
    bundleNodeEntries(
      [
        join(root, 'main.ts'),
        join(root, 'main-hcl.ts'),
        // Only scripts/*.ts are programs (or their libraries); a folder below is one library split by part.
        ...readdirSync(join(root, 'scripts'), { withFileTypes: true })
          .filter((e) => e.isFile() && e.name.endsWith('.ts'))
          .map((e) => join(root, 'scripts', e.name)),
      ],
      dist,
    ),
    // Each automation's benchmark sits with its tests: __tests__/<automation>/*.bench.ts -> dist/bench/<automation>/.
    bundleNodeEntries(
      walk(join(root, '__tests__'), (n) => n.endsWith('.bench.ts')),
      join(dist, 'bench'),
      join(root, '__tests__'),
    ),
  ]);
  writeFileSync(
    join(assetsDir, 'manifest.json'),
    JSON.stringify(Object.fromEntries(bundles), null, 2) + '\n',
  );
  return bundles;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = process.hrtime.bigint();
  const bundles = await main();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`built ${bundles.length} handler bundle(s) and the app in ${ms.toFixed(0)} ms`);
}
