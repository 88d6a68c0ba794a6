// What the last build made from which inputs (dist/.build-state.json), so the next build knows what changed.
// Project files are compared by content hash, always. Dependency files (node_modules, thousands, pinned by the
// lock file) and the build's own outputs are compared by content hash too, but a file whose size and mtime
// are those recorded, and whose mtime was already old when it was hashed, is taken as unchanged without
// reading it: an edit gives a new mtime, and one within the same clock tick as the hashing is never trusted.
import { createHash } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

const VERSION = 2;
/** Files whose change rebuilds everything: dependencies, compiler settings, the build itself. */
export const GLOBAL_INPUTS = [
  'package-lock.json',
  'package.json',
  'tsconfig.json',
  'scripts/build.mjs',
  'scripts/build/state.mjs',
];
/** A file modified less than this before it was read may change again unseen within one mtime tick. */
export const RACY_MS = 1000;

const sha = (bytes) => createHash('sha256').update(bytes).digest('base64');

/**
 * The saved form: every dependency and output path once (`paths`, with its fingerprint in `files`), units
 * naming their dependencies by index; thousands of node_modules paths would otherwise repeat per bundle.
 */
function pack(data) {
  const units = Object.values(data.units);
  const paths = [
    ...new Set(units.flatMap((u) => [...u.dependencies, ...Object.keys(u.outputs)])),
  ].sort();
  const index = new Map(paths.map((p, i) => [p, i]));
  return {
    version: data.version,
    global: data.global,
    paths,
    files: paths.map((p) => data.files[p] ?? null),
    units: Object.fromEntries(
      Object.entries(data.units).map(([id, u]) => [
        id,
        { ...u, dependencies: u.dependencies.map((p) => index.get(p)) },
      ]),
    ),
  };
}

function unpack(saved) {
  const files = {};
  saved.paths.forEach((p, i) => {
    if (saved.files[i]) files[p] = saved.files[i];
  });
  const units = Object.fromEntries(
    Object.entries(saved.units).map(([id, u]) => [
      id,
      { ...u, dependencies: u.dependencies.map((i) => saved.paths[i]) },
    ]),
  );
  return { version: saved.version, global: saved.global, units, files };
}

export class BuildState {
  static isDependency(path) {
    return path.includes('node_modules/');
  }

  static load(root, dist) {
    const file = join(dist, '.build-state.json');
    let data;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      if (saved.version === VERSION) data = unpack(saved);
    } catch {
      data = undefined; // unreadable or half written: build everything
    }
    return new BuildState(root, file, data);
  }

  constructor(root, file, data) {
    this.root = root;
    this.file = file;
    this.data = data ?? { version: VERSION, global: '', units: {}, files: {} };
    /** Dependency hashes as the recorded units were built with them. */
    this.before = { ...this.data.files };
    this.loaded = new Map(); // project file -> hash of the bytes given to esbuild in this run
    this.hashes = new Map(); // file -> current hash (null: missing), memo for this run
    this.dirty = false;
    this.globalKey = sha(
      GLOBAL_INPUTS.map((p) => `${p}\0${this.#hashNow(p) ?? 'missing'}`).join('\n'),
    );
  }

  matchesGlobalInputs() {
    return this.data.global === this.globalKey;
  }

  reset() {
    this.data = { version: VERSION, global: this.globalKey, units: {}, files: {} };
    this.before = {};
    this.dirty = true;
  }

  unit(id) {
    return this.data.units[id];
  }

  /** A project file's bytes for esbuild; the hash of exactly these bytes is what gets recorded. */
  readSource(path) {
    const bytes = readFileSync(`${this.root}/${path}`);
    this.loaded.set(path, sha(bytes));
    return bytes;
  }

  /** Text of a file the build wrote, or undefined. */
  readOutput(path) {
    try {
      return readFileSync(`${this.root}/${path}`, 'utf8');
    } catch {
      return undefined;
    }
  }

  #hashNow(path) {
    try {
      return sha(readFileSync(`${this.root}/${path}`));
    } catch {
      return null;
    }
  }

  /** Current hash of a dependency or output file, trusting a recorded old mtime (see the top). */
  #fingerprint(path) {
    if (this.hashes.has(path)) return this.hashes.get(path);
    const st = statSync(`${this.root}/${path}`, { throwIfNoEntry: false });
    const known = this.data.files[path]; // [size, mtimeMs (null while too recent to trust), hash]
    let hash = null;
    if (st && known && known[1] !== null && known[0] === st.size && known[1] === st.mtimeMs)
      hash = known[2];
    else if (st) {
      hash = this.#hashNow(path);
      const stable = st.mtimeMs < Date.now() - RACY_MS;
      this.data.files[path] = [st.size, stable ? st.mtimeMs : null, hash];
      this.dirty = true;
    }
    this.hashes.set(path, hash);
    return hash;
  }

  #source(path) {
    if (!this.hashes.has(path)) this.hashes.set(path, this.#hashNow(path));
    return this.hashes.get(path);
  }

  #listing(dir) {
    try {
      return sha(readdirSync(`${this.root}/${dir}`).sort().join('\n'));
    } catch {
      return null;
    }
  }

  /** True when the unit's entries, inputs, folder listings and outputs are all as recorded. */
  isFresh(id, entries) {
    const u = this.data.units[id];
    if (!u || u.racy || u.entries.join('\n') !== entries.join('\n')) return false;
    const same = (record, now) => Object.keys(record).every((k) => now(k) === record[k]);
    return (
      same(u.outputs, (p) => this.#fingerprint(p)) &&
      same(u.sources, (p) => this.#source(p)) &&
      same(u.dirs, (d) => this.#listing(d)) &&
      u.dependencies.every((p) => this.before[p] && this.#fingerprint(p) === this.before[p][2])
    );
  }

  /**
   * Records what a unit was built from. A dependency modified after `racyBefore` (the build's start, less a
   * clock tick) may differ from what esbuild read: the unit is then rebuilt next time.
   */
  record(id, entries, made, racyBefore) {
    for (const p of made.outputs) this.hashes.delete(p);
    for (const p of made.dependencies) this.#fingerprint(p);
    const racy = made.dependencies.some(
      (p) =>
        (statSync(`${this.root}/${p}`, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) >=
        racyBefore,
    );
    const dirs = [...new Set(made.sources.map((p) => dirname(p)))].sort();
    this.data.units[id] = {
      entries,
      sources: Object.fromEntries(made.sources.map((p) => [p, this.loaded.get(p)])),
      dependencies: made.dependencies,
      dirs: Object.fromEntries(dirs.map((d) => [d, this.#listing(d)])),
      outputs: Object.fromEntries(made.outputs.map((p) => [p, this.#fingerprint(p)])),
      ...(made.asset ? { asset: made.asset } : {}),
      ...(racy ? { racy } : {}),
    };
    this.dirty = true;
  }

  /** Deletes what the unit wrote last time and no longer writes (a deleted script's bundle). */
  removeOutputsNotIn(id, outputs) {
    const keep = new Set(outputs);
    for (const p of Object.keys(this.data.units[id]?.outputs ?? {}))
      if (!keep.has(p)) rmSync(`${this.root}/${p}`, { force: true });
  }

  /** Deletes the outputs and the record of units that no longer exist (a deleted handler). */
  removeUnitsNotIn(ids) {
    const keep = new Set(ids);
    for (const id of Object.keys(this.data.units).filter((i) => !keep.has(i))) {
      this.removeOutputsNotIn(id, []);
      delete this.data.units[id];
      this.dirty = true;
    }
  }

  /** Writes the state when it changed, and always what this run rebuilt (.build-last-run.json). */
  save(lastRun) {
    const dir = dirname(this.file);
    if (!existsSync(dir)) return;
    if (this.dirty) writeAtomic(this.file, JSON.stringify(pack(this.data)));
    writeAtomic(join(dir, '.build-last-run.json'), JSON.stringify(lastRun) + '\n');
  }
}

function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
