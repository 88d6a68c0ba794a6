import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { SEEN_AS } from '../../../scripts/emulator/coverage';
import {
  emulatorEndpointFromEnv,
  endpointKey,
  endpointKeys,
  OVERRIDE_FILE,
  UnknownServiceError,
} from '../../../scripts/emulator/override';
import { ROOT } from '../../../scripts/offline-proof';
import { offlineEnv, writeCliConfig } from '../../../scripts/terraform-env';
import { describeOffline, offlineTools } from '../../support/offline';

const run = promisify(execFile);
const ENDPOINT = 'http://127.0.0.1:4599';

/** dist/main.js into a fresh folder with these settings (the local backend unless a cloud one is asked). */
async function synth(
  env: NodeJS.ProcessEnv,
  outdir = mkdtempSync(join(tmpdir(), 'emulator-synth-')),
) {
  await run(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      OPS_AUTOPILOT_AWS_ENDPOINT: '',
      OPS_AUTOPILOT_BACKEND: 'local',
      CDKTF_OUTDIR: outdir,
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return outdir;
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

const stackDirs = (outdir: string) =>
  readdirSync(join(outdir, 'stacks')).map((s) => join(outdir, 'stacks', s));

describe('the endpoint of every service a stack uses', () => {
  test('comes from its resource type, the longest prefix winning', () => {
    expect(endpointKey('aws_cloudwatch_metric_alarm')).toBe('cloudwatch');
    expect(endpointKey('aws_cloudwatch_event_target')).toBe('events');
    expect(endpointKey('aws_vpc_security_group_ingress_rule')).toBe('ec2');
    expect(endpointKey('aws_lb_listener_rule')).toBe('elbv2');
    expect(endpointKey('aws_ecr_pull_through_cache_rule')).toBe('ecr');
    expect(endpointKey('aws_scheduler_schedule')).toBe('scheduler');
    expect(endpointKey('aws_vpc_endpoint')).toBe('ec2');
  });

  test('an unknown resource type fails synth, naming the type', () => {
    expect(() => endpointKeys({ resource: { aws_ssm_parameter: {} } })).toThrow(
      UnknownServiceError,
    );
    expect(() => endpointKey('aws_ssm_parameter')).toThrow(/aws_ssm_parameter/);
  });

  test('STS is always there (the account guard asks it); aws_partition needs no endpoint', () => {
    expect(endpointKeys({ resource: { aws_sqs_queue: {} }, data: { aws_partition: {} } })).toEqual([
      'sqs',
      'sts',
    ]);
  });

  test('the setting must be http(s)://host:port, and its value shows when it is not', () => {
    expect(emulatorEndpointFromEnv({})).toBeUndefined();
    expect(emulatorEndpointFromEnv({ OPS_AUTOPILOT_AWS_ENDPOINT: 'http://127.0.0.1:4566/' })).toBe(
      'http://127.0.0.1:4566',
    );
    expect(() =>
      emulatorEndpointFromEnv({ OPS_AUTOPILOT_AWS_ENDPOINT: 'http://h:1/path' }),
    ).toThrow(/h:1\/path/);
    expect(() => emulatorEndpointFromEnv({ OPS_AUTOPILOT_AWS_ENDPOINT: 'localhost' })).toThrow(
      /not a URL/,
    );
  });
});

let plain: string;
let emulated: string;
let cloud: string;
beforeAll(async () => {
  [plain, emulated, cloud] = await Promise.all([
    synth({}),
    synth({ OPS_AUTOPILOT_AWS_ENDPOINT: ENDPOINT }),
    synth({
      OPS_AUTOPILOT_AWS_ENDPOINT: ENDPOINT,
      TF_CLOUD_ORGANIZATION: 'acme',
      OPS_AUTOPILOT_BACKEND: '',
    }),
  ]);
}, 120_000);

describe('synth with OPS_AUTOPILOT_AWS_ENDPOINT', () => {
  test('writes one override beside each stack and changes no other byte', () => {
    const without = files(plain);
    const withSetting = files(emulated);
    const overrides = [...withSetting.keys()].filter((f) => f.endsWith(OVERRIDE_FILE)).sort();
    expect(overrides).toEqual(
      stackDirs(plain)
        .map((d) => join(relative(plain, d), OVERRIDE_FILE))
        .sort(),
    );
    for (const f of overrides) withSetting.delete(f);
    expect([...withSetting.keys()].sort()).toEqual([...without.keys()].sort());
    const changed = [...without]
      .filter(([f, bytes]) => !bytes.equals(withSetting.get(f)!))
      .map(([f]) => f);
    expect(changed).toEqual([]);
  });

  test('each override: the endpoints of its own resource types, skip flags, fake keys, local state', () => {
    for (const dir of stackDirs(emulated)) {
      const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as object;
      const override = JSON.parse(readFileSync(join(dir, OVERRIDE_FILE), 'utf8')) as {
        provider: { aws: Array<Record<string, unknown>> };
        terraform: unknown;
      };
      const [aws] = override.provider.aws;
      expect(Object.keys((aws!.endpoints as object[])[0]!).sort()).toEqual(endpointKeys(stack));
      expect(Object.values((aws!.endpoints as object[])[0]!)).toEqual(
        endpointKeys(stack).map(() => ENDPOINT),
      );
      expect(aws).toMatchObject({
        skip_credentials_validation: true,
        skip_metadata_api_check: 'true',
      });
      expect(aws!.access_key).toMatch(/^AKIA/);
      expect(override.terraform).toEqual({ backend: { local: { path: 'emulator.tfstate' } } });
    }
  });

  test('the after-destroy inventory knows how to see every resource type the stacks create', () => {
    const types = stackDirs(plain).flatMap((d) =>
      Object.keys(
        (JSON.parse(readFileSync(join(d, 'cdk.tf.json'), 'utf8')) as { resource: object }).resource,
      ),
    );
    expect([...new Set(types)].filter((t) => !SEEN_AS[t])).toEqual([]);
  });
});

describeOffline('the override with a Terraform Cloud backend', () => {
  test('replaces the cloud block: terraform init works offline and keeps the state locally', async () => {
    const dir = join(cloud, 'stacks', 'ebs-snapshot-lifecycle');
    const synthesized = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as {
      terraform: object;
    };
    expect(synthesized.terraform).toHaveProperty('cloud.organization', 'acme');
    const cliConfig = join(dir, 'offline.tfrc');
    writeCliConfig(cliConfig, offlineTools!.mirror);
    await run(offlineTools!.terraform, [`-chdir=${dir}`, 'init', '-input=false', '-no-color'], {
      env: offlineEnv(cliConfig),
    });
    const backend = JSON.parse(
      readFileSync(join(dir, '.terraform', 'terraform.tfstate'), 'utf8'),
    ) as {
      backend: { type: string; config: { path: string } };
    };
    expect(backend.backend.type).toBe('local');
    expect(backend.backend.config.path).toBe('emulator.tfstate');
  }, 120_000);
});

describe('a synth without the setting, into the folder of one with it', () => {
  test('removes the overrides the earlier synth left, so a real deploy cannot pick one up', async () => {
    await synth({}, emulated);
    expect(stackDirs(emulated).filter((d) => existsSync(join(d, OVERRIDE_FILE)))).toEqual([]);
  }, 60_000);
});
