import { execFile } from 'node:child_process';
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyProject } from '../support/project-copy';

const run = promisify(execFile);
// The copy owns p-limit, a dependency some handler bundles include and others do not.
const project = copyProject({ ownPackages: ['p-limit'] });
const dist = join(project, 'dist');

/** Runs the copy's build step; gives the units it rebuilt, sorted. */
async function build(): Promise<string[]> {
  await run(process.execPath, [join(project, 'scripts', 'build.mjs')], { cwd: project });
  const { rebuilt } = JSON.parse(readFileSync(join(dist, '.build-last-run.json'), 'utf8')) as {
    rebuilt: string[];
  };
  return [...rebuilt].sort();
}

/** Every file the build wrote, with its bytes (the build's own records left out). */
function outputs(): Map<string, Buffer> {
  return new Map(
    readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((p) => !p.startsWith('.build-') && /\.(zip|js|map|json)$/.test(p))
      .map((p) => [p, readFileSync(join(dist, p))]),
  );
}

/** The handler bundles whose source map names a file of the given package. */
const bundlesWith = (pkg: string) =>
  readdirSync(join(dist, 'functions'))
    .filter((name) =>
      readFileSync(join(dist, 'functions', name, 'index.js.map'), 'utf8').includes(
        `node_modules/${pkg}/`,
      ),
    )
    .map((name) => `handler:${name}`)
    .sort();

/** One unit per `functions/<bundle>/<name>.handler.ts` of the copy: `handler:<bundle>-<name>`. */
const handlerUnits = () =>
  readdirSync(join(project, 'functions'), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.handler.ts'))
    .map((p) => `handler:${p.replace(/\.handler\.ts$/, '').replace(/[\\/]/g, '-')}`)
    .sort();

let all: string[];
let built: Map<string, Buffer>;
beforeAll(async () => {
  all = await build();
  built = outputs();
}, 300_000);

describe('the incremental build step (scripts/build.mjs), in a copy of the project', () => {
  test('builds every unit the first time, then nothing while nothing changed', async () => {
    expect(all).toEqual(expect.arrayContaining(['app', 'bench', 'handler:ebs-snapshot-create']));
    expect(all.filter((u) => u.startsWith('handler:'))).toEqual(handlerUnits());
    expect(await build()).toEqual([]);
  }, 60_000);

  test('rebuilds nothing for files touched without a change of content', async () => {
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(project, 'functions', 'ecs-drain', 'drain.handler.ts'), later, later);
    utimesSync(join(project, 'node_modules', 'p-limit', 'index.js'), later, later);
    expect(await build()).toEqual([]);
  }, 60_000);

  test('rebuilds exactly the bundles that include a dependency whose content changed', async () => {
    const expected = bundlesWith('p-limit');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(8);
    appendFileSync(join(project, 'node_modules', 'p-limit', 'index.js'), '\n// changed\n');
    // A dependency modified within a second of the build may change again unseen: such a unit is rebuilt
    // once more next time (scripts/build/state.mjs). An edit a moment before the build is the usual case.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await build()).toEqual(expected);
    expect(await build()).toEqual([]);
  }, 120_000);

  test('rebuilds what lost an output, to the same bytes', async () => {
    rmSync(join(dist, 'main.js'));
    writeFileSync(join(dist, 'assets', 'redshift-resize-guard.zip'), 'not a zip');
    expect(await build()).toEqual(['app', 'handler:redshift-resize-guard']);
    const now = outputs();
    const differing = [...built].filter(
      ([p, bytes]) => !bytes.equals(now.get(p) ?? Buffer.alloc(0)),
    );
    expect(differing.map(([p]) => p)).toEqual([]);
  }, 120_000);

  test('rebuilds everything when the lock file changed, to the same bytes', async () => {
    appendFileSync(join(project, 'package-lock.json'), '\n');
    expect(await build()).toEqual(all);
    const now = outputs();
    expect([...now.keys()].sort()).toEqual([...built.keys()].sort());
    expect([...built].filter(([p, bytes]) => !bytes.equals(now.get(p)!)).map(([p]) => p)).toEqual(
      [],
    );
  }, 300_000);
});
