import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, synthAll } from '../../scripts/offline-proof';

function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return files;
}

describe('synth of the built app', () => {
  let first: Map<string, Buffer>;
  let second: Map<string, Buffer>;
  beforeAll(async () => {
    [first, second] = [tree(await synthAll()), tree(await synthAll())];
  }, 60_000);

  test('is byte-identical across two runs: stack JSON and asset files', () => {
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    const differing = [...first]
      .filter(([path, bytes]) => !bytes.equals(second.get(path) ?? Buffer.alloc(0)))
      .map(([p]) => p);
    expect(differing).toEqual([]);
    expect([...first.keys()].some((p) => p.endsWith('.zip'))).toBe(true);
  });

  test('holds no path of this machine, so every stack folder is self-contained', () => {
    const leaking = [...first]
      .filter(([path, bytes]) => path.endsWith('.json') && bytes.toString('utf8').includes(ROOT))
      .map(([p]) => p);
    expect(leaking).toEqual([]);
  });
});
