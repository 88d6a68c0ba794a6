import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EMULATOR_CREDENTIALS } from './aws/call';

/** The setting that points every stack at an AWS emulator (moto behind the stand-ins). */
export const ENDPOINT_SETTING = 'OPS_AUTOPILOT_AWS_ENDPOINT';
/** Beside each stack's cdk.tf.json; Terraform merges `*_override.tf.json` last. */
export const OVERRIDE_FILE = 'emulator_override.tf.json';
/** The state file the override selects, in the stack's folder. */
export const EMULATOR_STATE = 'emulator.tfstate';

/**
 * Provider `endpoints` key per resource type prefix (a type matches a prefix when it equals it or continues
 * with `_`; the longest prefix wins). Keys: https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/guides/custom-service-endpoints
 */
export const ENDPOINT_BY_PREFIX: Readonly<Record<string, string>> = {
  aws_appautoscaling: 'appautoscaling',
  aws_autoscaling: 'autoscaling',
  aws_cloudwatch: 'cloudwatch',
  aws_cloudwatch_event: 'events',
  aws_cloudwatch_log: 'logs',
  aws_db: 'rds',
  aws_rds: 'rds',
  aws_default_security_group: 'ec2',
  aws_eip: 'ec2',
  aws_internet_gateway: 'ec2',
  aws_launch_template: 'ec2',
  aws_nat_gateway: 'ec2',
  aws_route: 'ec2',
  aws_security_group: 'ec2',
  aws_subnet: 'ec2',
  aws_vpc: 'ec2',
  aws_dynamodb: 'dynamodb',
  aws_ecr: 'ecr',
  aws_ecs: 'ecs',
  aws_iam: 'iam',
  aws_kms: 'kms',
  aws_lambda: 'lambda',
  aws_lb: 'elbv2',
  aws_resourcegroups: 'resourcegroups',
  aws_scheduler: 'scheduler',
  aws_sfn: 'sfn',
  aws_sns: 'sns',
  aws_sqs: 'sqs',
};

/** Data sources the provider answers without calling AWS. */
const OFFLINE_DATA_SOURCES = new Set(['aws_partition']);

/** The provider reads the account id from STS GetCallerIdentity, whatever the stack holds. */
const ALWAYS = ['sts'];

export class UnknownServiceError extends Error {
  constructor(readonly resourceType: string) {
    super(
      `no AWS provider endpoint is known for ${resourceType}: add its prefix to ENDPOINT_BY_PREFIX in scripts/emulator/override.ts`,
    );
    this.name = 'UnknownServiceError';
  }
}

export function endpointKey(resourceType: string): string {
  const prefix = Object.keys(ENDPOINT_BY_PREFIX)
    .filter((p) => resourceType === p || resourceType.startsWith(`${p}_`))
    .sort((a, b) => b.length - a.length)[0];
  if (!prefix) throw new UnknownServiceError(resourceType);
  return ENDPOINT_BY_PREFIX[prefix]!;
}

/** The endpoints keys for a synthesized stack (cdk.tf.json), from its resource and data source types. */
export function endpointKeys(stack: { resource?: object; data?: object }): string[] {
  const keys = new Set(ALWAYS);
  for (const type of Object.keys(stack.resource ?? {})) keys.add(endpointKey(type));
  for (const type of Object.keys(stack.data ?? {})) {
    if (!OFFLINE_DATA_SOURCES.has(type)) keys.add(endpointKey(type));
  }
  return [...keys].sort();
}

/** The setting's value as an endpoint URL (`http://127.0.0.1:4566`), undefined when unset. */
export function emulatorEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[ENDPOINT_SETTING]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${ENDPOINT_SETTING}="${raw}" is not a URL such as http://127.0.0.1:4566`);
  }
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash
  ) {
    throw new Error(`${ENDPOINT_SETTING}="${raw}" must be http(s)://host:port, with no path`);
  }
  return url.origin;
}

/**
 * The override for one stack: every endpoint it uses points at the emulator, fake credentials, no credential
 * or region checks, and a local state file (a `backend` block in an override file replaces the stack's
 * `cloud` or `backend` block: https://developer.hashicorp.com/terraform/language/files/override#merging-terraform-blocks).
 * skip_requesting_account_id stays false: moto answers GetCallerIdentity with 123456789012, so the stack's
 * allowed_account_ids guard keeps working. HTTPS goes through a closed local port, so a call to a service
 * missing here fails at once instead of leaving the machine.
 */
export function emulatorOverride(endpoint: string, stack: { resource?: object; data?: object }) {
  return {
    '//': `Written by synth because ${ENDPOINT_SETTING}=${endpoint}; not part of the deployable configuration.`,
    provider: {
      aws: [
        {
          access_key: EMULATOR_CREDENTIALS.accessKeyId,
          secret_key: EMULATOR_CREDENTIALS.secretAccessKey,
          skip_credentials_validation: true,
          skip_metadata_api_check: 'true',
          skip_region_validation: true,
          skip_requesting_account_id: false,
          https_proxy: 'http://127.0.0.1:1',
          max_retries: 2,
          endpoints: [Object.fromEntries(endpointKeys(stack).map((k) => [k, endpoint]))],
        },
      ],
    },
    terraform: { backend: { local: { path: EMULATOR_STATE } } },
  };
}

/**
 * After app.synth(): with the setting, writes the override beside every stack of the manifest; without it,
 * removes overrides a previous synth left, so a real deploy can never pick one up.
 */
export function applyEmulatorSetting(
  outdir: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const endpoint = emulatorEndpointFromEnv(env);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const written: string[] = [];
  for (const { synthesizedStackPath } of Object.values(manifest.stacks)) {
    const file = join(outdir, synthesizedStackPath);
    const override = join(dirname(file), OVERRIDE_FILE);
    if (!endpoint) {
      if (existsSync(override)) rmSync(override);
      continue;
    }
    const stack = JSON.parse(readFileSync(file, 'utf8')) as { resource?: object; data?: object };
    writeFileSync(override, JSON.stringify(emulatorOverride(endpoint, stack), null, 2) + '\n');
    written.push(override);
  }
  return written;
}
