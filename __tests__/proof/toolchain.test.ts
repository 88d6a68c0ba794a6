import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
interface LockEntry {
  version?: string;
  os?: string | string[];
  cpu?: string | string[];
  optional?: boolean;
  resolved?: string;
  hasInstallScript?: boolean;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const nodePackages = Object.keys(pkg.optionalDependencies).filter((n) => /^node-/.test(n));
const majorOf = (version: string) => Number(version.split('.')[0]);
/** npm reads a package's os and cpu as one value or a list. */
const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());
/** engines.node is a major line ("22.x"), the form setup's check and setup-node read. */
const supportedMajor = Number(/^(\d+)\.x$/.exec(pkg.engines.node)?.[1]);

describe('the Node of development', () => {
  test("is one major line, package.json's engines.node", () => {
    expect(pkg.engines.node).toMatch(/^\d+\.x$/);
    expect(supportedMajor).toBeGreaterThanOrEqual(22);
  });

  test('runs these tests (through npm or npx, which put node_modules/.bin first on PATH)', () => {
    expect(majorOf(process.versions.node)).toBe(supportedMajor);
  });

  test('is installed by npm: one exact version for every platform, each package only where it fits', () => {
    // Prepare
    const versions = new Set(nodePackages.map((n) => pkg.optionalDependencies[n]));
    const entries = nodePackages.map((n) => lock.packages[`node_modules/${n}`]);

    // Assess
    expect(nodePackages.length).toBeGreaterThanOrEqual(5);
    expect(versions.size).toBe(1);
    const [version] = [...versions];
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(majorOf(version ?? '')).toBe(supportedMajor);
    for (const entry of entries) {
      expect(entry).toMatchObject({ version, optional: true });
      expect([list(entry?.os).length, list(entry?.cpu).length]).toEqual([1, 1]);
    }
  });

  test("is the locked binary wherever this platform has one, for this process and for `node` on PATH (cdktf's app command, scripts)", () => {
    // Prepare
    const fitting = nodePackages.filter((n) => {
      const e = lock.packages[`node_modules/${n}`];
      return list(e?.os).includes(process.platform) && list(e?.cpu).includes(process.arch);
    });
    const onPath = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim();

    // Assess
    expect(fitting.length).toBeLessThanOrEqual(1);
    if (fitting[0]) {
      const bin = join(ROOT, 'node_modules', fitting[0], 'bin', 'node');
      expect(realpathSync(process.execPath)).toBe(realpathSync(bin));
    }
    expect(realpathSync(onPath)).toBe(realpathSync(process.execPath));
  });
});

describe('npm install scripts', () => {
  test('each locked package with install scripts has a decision in allowScripts, by name', () => {
    // Prepare: by name, because the lock keeps no registry URL and npm trusts a version only from one
    const withScripts = Object.entries(lock.packages)
      .filter(([, e]) => e.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));

    // Assess
    expect(Object.keys(pkg.allowScripts).sort()).toEqual([...new Set(withScripts)].sort());
    expect(Object.values(lock.packages).filter((e) => e.resolved)).toEqual([]);
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(
      /^omit-lockfile-registry-resolved=true$/m,
    );
  });

  test("cdktf's pseudo-terminal module (terraform init, deploy), whose install script is approved, runs", async () => {
    // Prepare: the module as cdktf-cli resolves it
    const fromCli = createRequire(require.resolve('cdktf-cli/package.json'));
    const pty = fromCli('@cdktf/node-pty-prebuilt-multiarch') as {
      spawn(
        file: string,
        args: string[],
        opts: object,
      ): {
        onData(cb: (d: string) => void): void;
        onExit(cb: (e: { exitCode: number }) => void): void;
      };
    };

    // Act
    const child = pty.spawn(process.execPath, ['-p', 'process.versions.node'], { cwd: ROOT });
    let out = '';
    child.onData((d) => (out += d));
    const exitCode = await new Promise<number>((resolve) =>
      child.onExit((e) => resolve(e.exitCode)),
    );

    // Assess
    expect(exitCode).toBe(0);
    expect(out).toContain(process.versions.node);
  });

  test("esbuild's build API works without its denied postinstall", async () => {
    // Act
    const { transform } = await import('esbuild');
    const out = await transform('const n: number = 1; export { n };', { loader: 'ts' });

    // Assess
    expect(out.code).toContain('const n = 1;');
  });

  test("swc's native binding loads without its denied postinstall (no @swc/wasm fallback)", async () => {
    // Act
    const swc = await import('@swc/core');
    const out = await swc.transform('const n: number = 1;', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    });

    // Assess
    expect(out.code).toContain('const n = 1;');
  });
});

describe('.ci/check-clean.sh (run by CI after setup)', () => {
  const script = join(ROOT, '.ci', 'check-clean.sh');
  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
  function committedRepo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'check-clean-'));
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    git(dir, 'add', '.');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'lock');
    return dir;
  }
  const check = (dir: string) => spawnSync('bash', [script, dir], { encoding: 'utf8' });

  test('passes on a clone as committed', () => {
    expect(check(committedRepo())).toMatchObject({ status: 0 });
  });

  test('fails with the diff when setup rewrote a tracked file', () => {
    // Prepare
    const dir = committedRepo();
    writeFileSync(join(dir, 'package-lock.json'), '{"rewritten": true}\n');

    // Act
    const result = check(dir);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(' M package-lock.json');
    expect(result.stderr).toContain('+{"rewritten": true}');
  });

  test('fails naming a file setup left untracked', () => {
    // Prepare
    const dir = committedRepo();
    writeFileSync(join(dir, 'stray.log'), 'x\n');

    // Act
    const result = check(dir);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('?? stray.log');
  });

  test('fails outside a git work tree instead of passing unchecked', () => {
    expect(check(mkdtempSync(join(tmpdir(), 'no-git-')))).toMatchObject({ status: 1 });
  });
});
