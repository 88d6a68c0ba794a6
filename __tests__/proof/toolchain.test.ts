import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  allowScripts: Record<string, boolean>;
};
interface LockEntry {
  resolved?: string;
  hasInstallScript?: boolean;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

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
