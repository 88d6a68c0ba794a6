import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/offline-proof';

// The provider's root index loads all ~1,500 resource classes: 1.6 s and 455 MB per process.
function loadsProviderRoot(entry: string): boolean {
  const probe = `
      const Module = require('node:module');
      const loaded = [];
      const original = Module._load;
      Module._load = function (request, parent, isMain) {
        if (request === '@cdktf/provider-aws' || /@cdktf[\\\\/]provider-aws[\\\\/]lib[\\\\/]index\\.js$/.test(request)) loaded.push(request);
        return original.apply(this, arguments);
      };
      process.on('exit', () => { if (loaded.length) { console.error('ROOT LOADED', loaded); process.exitCode = 3; } });
      require(${JSON.stringify(entry)});
    `;
  const out = mkdtempSync(join(tmpdir(), 'guard-'));
  try {
    execFileSync(process.execPath, ['-e', probe], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: out },
      stdio: 'pipe',
    });
    return false;
  } catch (error) {
    if ((error as { status?: number }).status === 3) return true;
    throw error;
  }
}

describe('the @cdktf/provider-aws package root', () => {
  test('is never loaded by a full synth of the built app', () => {
    expect(loadsProviderRoot(join(ROOT, 'dist', 'main.js'))).toBe(false);
  });

  test('is caught when something does load it (the guard can fail)', () => {
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.cache', 'guard-'));
    const offender = join(dir, 'offender.js');
    writeFileSync(offender, `require(${JSON.stringify('@cdktf/provider-' + 'aws')});`);
    expect(loadsProviderRoot(offender)).toBe(true);
  });

  test('is imported by no source file (deep paths only)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        if (['node_modules', 'dist', 'cdktf.out', '.git', '.cache'].includes(entry)) continue;
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) walk(p);
        else if (
          /\.(ts|mjs|js)$/.test(entry) &&
          /from ['"]@cdktf\/provider-aws['"]|require\(['"]@cdktf\/provider-aws['"]\)/.test(
            readFileSync(p, 'utf8'),
          )
        )
          offenders.push(p);
      }
    };
    walk(ROOT);
    // The benchmark's baseline is the usual way on purpose: it generates root imports to measure them.
    const baselineGenerator = join(ROOT, 'scripts', 'bench.ts');
    expect(offenders.filter((p) => p !== baselineGenerator)).toEqual([]);
  });
});
