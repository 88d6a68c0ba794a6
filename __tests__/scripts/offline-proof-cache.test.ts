import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROOF_CACHE_SETTING, proveStack, type OfflineTools } from '../../scripts/offline-proof';

// A stand-in terraform that logs each command it runs: what a proof costs is the commands it starts.
const FAKE_TERRAFORM = `#!/bin/sh
dir=""; for a in "$@"; do case "$a" in -chdir=*) dir="\${a#-chdir=}";; esac; done
cmd="$2"; echo "$cmd $dir" >> "$TF_LOG_FILE"
case "$cmd" in
  validate) echo '{"valid":true,"error_count":0,"warning_count":0,"diagnostics":[]}';;
  show) echo '{"format_version":"1.2","planned_values":{"root_module":{"resources":[]}},"resource_changes":[],"variables":{}}';;
  init) mkdir -p "$dir" && : > "$dir/.terraform.lock.hcl";;
esac
`;

const CONFIG = { variable: { region: { type: 'string' } }, resource: {} };

function tools(): OfflineTools & { log: string } {
  const bin = mkdtempSync(join(tmpdir(), 'fake-terraform-'));
  const terraform = join(bin, 'terraform');
  writeFileSync(terraform, FAKE_TERRAFORM);
  chmodSync(terraform, 0o755);
  return { terraform, mirror: bin, log: join(bin, 'calls.log') };
}

function synthOf(config: object = CONFIG, extra: Record<string, string> = {}): string {
  const outdir = mkdtempSync(join(tmpdir(), 'cache-synth-'));
  const dir = join(outdir, 'stacks', 'demo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(config));
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return outdir;
}

function varFile(values: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cache-vars-')), 'vars.tfvars.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

const commands = (log: string) =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]);

describe('proveStack keeps validate and plan results for the run, by configuration content', () => {
  const saved = { ...process.env };
  let fake: ReturnType<typeof tools>;
  beforeEach(() => {
    fake = tools();
    process.env.TF_LOG_FILE = fake.log;
    process.env[PROOF_CACHE_SETTING] = mkdtempSync(join(tmpdir(), 'proof-cache-'));
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the same configuration and values in another folder only runs init', async () => {
    // Prepare
    const values = varFile({ region: 'us-east-1' });
    await proveStack(fake, synthOf(), 'demo', values);

    // Act
    const again = await proveStack(fake, synthOf(), 'demo', values);

    // Assess
    expect(commands(fake.log)).toEqual(['init', 'validate', 'plan', 'show', 'init']);
    expect(again.validate.valid).toBe(true);
    expect(again.plan.format_version).toBe('1.2');
  });

  test('other values plan again, without validating again', async () => {
    // Prepare
    await proveStack(fake, synthOf(), 'demo', varFile({ region: 'us-east-1' }));

    // Act
    await proveStack(fake, synthOf(), 'demo', varFile({ region: 'eu-west-1' }));

    // Assess
    expect(commands(fake.log)).toEqual([
      'init',
      'validate',
      'plan',
      'show',
      'init',
      'plan',
      'show',
    ]);
  });

  test('a changed configuration or variables file the folder loads by itself is proved again', async () => {
    // Prepare
    const values = varFile({ region: 'us-east-1' });
    await proveStack(fake, synthOf(), 'demo', values);

    // Act
    await proveStack(fake, synthOf({ ...CONFIG, output: { x: { value: 1 } } }), 'demo', values);
    await proveStack(
      fake,
      synthOf(CONFIG, { 'terraform.tfvars': 'region = "x"\n' }),
      'demo',
      values,
    );

    // Assess
    expect(commands(fake.log).filter((c) => c === 'validate')).toHaveLength(3);
    expect(commands(fake.log).filter((c) => c === 'plan')).toHaveLength(3);
  });

  test('a configuration that calls a local module is never taken from the run cache', async () => {
    // Prepare
    const calling = { ...CONFIG, module: { app: { source: '../other' } } };
    const values = varFile({ region: 'us-east-1' });
    await proveStack(fake, synthOf(calling), 'demo', values);

    // Act
    await proveStack(fake, synthOf(calling), 'demo', values);

    // Assess
    expect(commands(fake.log).filter((c) => c === 'plan')).toHaveLength(2);
  });

  test('without the run setting nothing is kept between folders', async () => {
    // Prepare
    delete process.env[PROOF_CACHE_SETTING];
    const values = varFile({ region: 'us-east-1' });
    await proveStack(fake, synthOf(), 'demo', values);

    // Act
    await proveStack(fake, synthOf(), 'demo', values);

    // Assess
    expect(commands(fake.log)).toEqual([
      ...['init', 'validate', 'plan', 'show'],
      ...['init', 'validate', 'plan', 'show'],
    ]);
  });
});
