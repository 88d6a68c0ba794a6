import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { ROOT } from '../../scripts/offline-proof';

// Terraform Cloud's remote runs get only the stack's folder: everything the configuration names must be in it.
const outdir = mkdtempSync(join(tmpdir(), 'cloud-synth-'));
execFileSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
  env: {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    TF_CLOUD_ORGANIZATION: 'acme',
    OPS_AUTOPILOT_BACKEND: '',
  },
});
const stacks = readdirSync(join(outdir, 'stacks'));

/** Every string in the configuration that names a local file (`filename`), cdktf's `//` metadata aside. */
function filePaths(node: unknown, key = ''): string[] {
  if (typeof node === 'string') return key === 'filename' ? [node] : [];
  if (Array.isArray(node)) return node.flatMap((n) => filePaths(n, key));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([k, v]) => filePaths(v, k));
  return [];
}

describe.each(stacks)('the synthesized folder of %s (Terraform Cloud mode)', (stack) => {
  const dir = join(outdir, 'stacks', stack);
  const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as Record<
    string,
    unknown
  >;

  test('uses the cloud block and no local state path', () => {
    expect(json.terraform).toMatchObject({
      cloud: { organization: 'acme', workspaces: { name: `ops-autopilot-${stack}` } },
    });
    expect((json.terraform as Record<string, unknown>).backend).toBeUndefined();
  });

  test('names only files inside the folder, and they exist', () => {
    const paths = filePaths(json.resource);
    const outside = paths.filter(
      (p) => isAbsolute(p) || normalize(p).startsWith('..') || !existsSync(join(dir, p)),
    );
    expect(outside).toEqual([]);
  });

  test('holds no path of the machine it was synthesized on', () => {
    expect(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).not.toContain(ROOT);
  });
});

test('every stack with functions names its zips, inside its own folder', () => {
  const withZips = stacks.filter(
    (s) =>
      filePaths(JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'))).length >
      0,
  );
  expect(withZips.sort()).toEqual([
    'capacity-reservations',
    'ebs-snapshot-lifecycle',
    'ecs-autoscaling-drain',
    'ecs-spot-api',
    'redshift-resize',
  ]);
});
