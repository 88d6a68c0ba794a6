// Build step: bundles the app and scripts (cdktf external), and every Lambda handler into a deterministic
// zip, so synth never runs esbuild or a zip child process. Incremental: a unit (one handler bundle, the app
// and scripts, the benchmarks) is rebuilt only when one of its inputs changed (scripts/build/state.mjs), so
// `cdktf synth` can run it before every synth.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildState, RACY_MS } from './build/state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const assetsDir = join(dist, 'assets');
// The earliest DOS timestamp: zip entries carry no build time, so equal inputs give equal bytes.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const rel = (p) => relative(root, p).split(sep).join('/');

function walk(dir, match) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p, match);
    return match(e.name) ? [p] : [];
  });
}

export function assetName(entry) {
  const parts = relative(join(root, 'functions'), entry).split(sep);
  const base = parts.pop().replace(/\.handler\.ts$/, '');
  return [...parts, base].join('-');
}

/** Atomic write: a concurrent reader (another build, a synth) never sees half a file. */
function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

function zipDeterministic(yazl, files) {
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

const LOADERS = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.json': 'json',
};

/**
 * Reads every project file (not node_modules) for esbuild and hashes exactly the bytes it bundles, so an
 * edit during the build can never be recorded as built.
 */
function hashingLoader(state, seen) {
  return {
    name: 'hashing-loader',
    setup(b) {
      b.onLoad({ filter: /.*/ }, (args) => {
        const path = rel(args.path);
        if (BuildState.isDependency(path) || !LOADERS[extname(path)]) return undefined;
        const contents = state.readSource(path);
        seen.add(path);
        return { contents, loader: LOADERS[extname(path)] };
      });
    },
  };
}

/** Project files read through the loader and dependency files from the metafile: a unit's inputs. */
function inputsOf(metafile, seen) {
  const deps = Object.keys(metafile.inputs)
    .map((p) => p.split(sep).join('/'))
    .filter(BuildState.isDependency);
  return { sources: [...seen].sort(), dependencies: deps.sort() };
}

async function bundleHandler(tools, state, unit) {
  const seen = new Set();
  const result = await tools.build({
    entryPoints: [join(root, unit.entries[0])],
    bundle: true,
    write: false,
    metafile: true,
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
    outfile: join(dist, 'functions', unit.name, 'index.js'),
    absWorkingDir: root,
    logLevel: 'error',
    plugins: [hashingLoader(state, seen)],
  });
  // The unzipped copy is for the cold-init bench.
  const outputs = result.outputFiles.map((f) => ({
    path: f.path,
    contents: Buffer.from(f.contents),
  }));
  const zip = await zipDeterministic(
    tools.yazl,
    outputs.map((f) => ({ name: f.path.split(sep).pop(), contents: f.contents })),
  );
  outputs.push({ path: join(assetsDir, `${unit.name}.zip`), contents: zip });
  for (const f of outputs) writeAtomic(f.path, f.contents);
  return {
    ...inputsOf(result.metafile, seen),
    outputs: outputs.map((f) => rel(f.path)),
    asset: { bytes: zip.length, sha256: createHash('sha256').update(zip).digest('base64') },
  };
}

async function bundleNodeEntries(tools, state, unit) {
  const seen = new Set();
  const result = await tools.build({
    entryPoints: unit.entries.map((e) => join(root, e)),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    outdir: join(root, unit.outdir),
    outbase: join(root, unit.outbase),
    absWorkingDir: root,
    logLevel: 'error',
    plugins: [hashingLoader(state, seen)],
  });
  for (const f of result.outputFiles) writeAtomic(f.path, f.contents);
  return {
    ...inputsOf(result.metafile, seen),
    outputs: result.outputFiles.map((f) => rel(f.path)),
  };
}

/** What the build makes: one unit per handler bundle, then the app with the scripts, then the benchmarks. */
function plannedUnits() {
  const handlers = walk(join(root, 'functions'), (n) => n.endsWith('.handler.ts'))
    .sort()
    .map((entry) => ({
      id: `handler:${assetName(entry)}`,
      name: assetName(entry),
      entries: [rel(entry)],
      make: bundleHandler,
    }));
  // Only scripts/*.ts are programs (or their libraries); a folder below is one library split by part.
  const scripts = readdirSync(join(root, 'scripts'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => `scripts/${e.name}`)
    .sort();
  return [
    ...handlers,
    {
      id: 'app',
      entries: ['main.ts', 'main-hcl.ts', ...scripts],
      outdir: 'dist',
      outbase: '.',
      make: bundleNodeEntries,
    },
    // Each automation's benchmark sits with its tests: __tests__/<automation>/*.bench.ts -> dist/bench/<automation>/.
    {
      id: 'bench',
      entries: walk(join(root, '__tests__'), (n) => n.endsWith('.bench.ts'))
        .map(rel)
        .sort(),
      outdir: 'dist/bench',
      outbase: '__tests__',
      make: bundleNodeEntries,
    },
  ];
}

function writeManifest(state, units) {
  const bundles = units.filter((u) => u.name).map((u) => [u.name, state.unit(u.id).asset]);
  const text = JSON.stringify(Object.fromEntries(bundles), null, 2) + '\n';
  const path = join(assetsDir, 'manifest.json');
  if (state.readOutput(rel(path)) !== text) writeAtomic(path, text);
  return bundles;
}

/** Builds what changed; returns the handler bundles (name, size, hash) and the ids of the rebuilt units. */
export async function main({ force = false } = {}) {
  const started = Date.now();
  const state = BuildState.load(root, dist);
  if (force || !state.matchesGlobalInputs()) {
    rmSync(dist, { recursive: true, force: true });
    state.reset();
  }
  const units = plannedUnits();
  const stale = units.filter((u) => !state.isFresh(u.id, u.entries));
  if (stale.length > 0) {
    // Loaded only when something is built: a no-change run stays within Node's start-up time.
    const [esbuild, yazl] = await Promise.all([import('esbuild'), import('yazl')]);
    const tools = { build: esbuild.build, yazl: yazl.default };
    await Promise.all(
      stale.map(async (u) => {
        const made =
          u.entries.length === 0
            ? { sources: [], dependencies: [], outputs: [] }
            : await u.make(tools, state, u);
        state.removeOutputsNotIn(u.id, made.outputs);
        state.record(u.id, u.entries, made, started - RACY_MS);
      }),
    );
  }
  state.removeUnitsNotIn(units.map((u) => u.id));
  const bundles = writeManifest(state, units);
  state.save({ rebuilt: stale.map((u) => u.id), ms: Date.now() - started });
  return { bundles, rebuilt: stale.map((u) => u.id) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = process.hrtime.bigint();
  const { bundles, rebuilt } = await main({ force: process.argv.includes('--force') });
  const ms = (Number(process.hrtime.bigint() - started) / 1e6).toFixed(0);
  const what = rebuilt.length === 0 ? 'up to date' : `rebuilt ${rebuilt.join(', ')}`;
  // stderr: the cdktf CLI runs this before the app and keeps stdout for the app's own output.
  console.error(`build: ${bundles.length} handler bundle(s) and the app, ${what} (${ms} ms)`);
}
