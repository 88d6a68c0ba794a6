import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const AWS_PROVIDER = {
  source: 'registry.terraform.io/hashicorp/aws',
  version: '5.100.0',
} as const;

export class OfflineToolMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfflineToolMissingError';
  }
}

function platformDir(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${process.platform}_${arch}`;
}

/** The pinned AWS provider's executable in a mirror of the unpacked layout, if it holds one. */
export function providerBinary(mirror: string): string | undefined {
  const providerDir = join(mirror, AWS_PROVIDER.source, AWS_PROVIDER.version, platformDir());
  if (!existsSync(providerDir)) return undefined;
  const file = readdirSync(providerDir).find((f) => f.startsWith('terraform-provider-aws_'));
  return file ? join(providerDir, file) : undefined;
}

/** True when `dir` is a provider mirror (unpacked layout) holding the pinned AWS provider. */
export function isMirror(dir: string): boolean {
  return providerBinary(dir) !== undefined;
}

/** Terraform's own implied mirror folders, then a shallow search of the usual install roots. */
function candidates(): string[] {
  const xdgData = (process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')).split(':');
  const dataDirs = (process.env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':');
  return [
    join(homedir(), '.terraform.d', 'plugins'),
    ...[...xdgData, ...dataDirs].map((d) => join(d, 'terraform', 'plugins')),
  ];
}

function searchBelow(root: string, depth: number): string | undefined {
  if (depth < 0 || !existsSync(root)) return undefined;
  if (isMirror(root)) return root;
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => !e.startsWith('.') || e === '.terraform.d');
  } catch {
    return undefined;
  }
  for (const entry of entries.sort()) {
    const p = join(root, entry);
    try {
      if (!statSync(p).isDirectory()) continue;
    } catch {
      continue;
    }
    const found = searchBelow(p, depth - 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The provider mirror: TF_PROVIDER_MIRROR when set (and it must hold the provider), else Terraform's
 * implied local mirror folders, else a shallow search of /opt, /usr/local and the home folder.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.TF_PROVIDER_MIRROR?.trim();
  if (fromEnv) {
    if (!isMirror(fromEnv)) {
      throw new OfflineToolMissingError(
        `TF_PROVIDER_MIRROR=${fromEnv} does not hold ${AWS_PROVIDER.source} ${AWS_PROVIDER.version} for ${platformDir()}`,
      );
    }
    return fromEnv;
  }
  const implied = candidates().find(isMirror);
  if (implied) return implied;
  for (const root of ['/opt', '/usr/local', homedir()]) {
    const found = searchBelow(root, 3);
    if (found) return found;
  }
  return undefined;
}

export function findTerraform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = env.TERRAFORM_BIN?.trim() || 'terraform';
  try {
    execFileSync(bin, ['version', '-json'], {
      stdio: 'pipe',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    return bin;
  } catch {
    return undefined;
  }
}

/** A CLI config that installs the AWS provider only from the mirror: no registry, no network. */
export function writeCliConfig(file: string, mirror: string): void {
  // An unpacked mirror is linked into .terraform, not copied: no 700 MB copy per stack.
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${AWS_PROVIDER.source}"]\n  }\n}\n`,
  );
}

/**
 * Go's garbage-collector target for terraform and the AWS provider in the offline proofs, unless GOGC is
 * already set. Both hold the provider's whole schema (hundreds of MB) live, so at Go's default (100) they
 * spend a large share of their CPU collecting garbage: 400 cut a Spot stack plan from 4.2 to 3.2 CPU-s and
 * the deploy proof's provider CPU from 120 to 86 s, for about 100 MB more peak memory per process.
 */
export const PROOF_GOGC = '400';

/** Fake credentials and no metadata lookups: a plan with them proves nothing reaches AWS. */
export function offlineEnv(cliConfigFile: string): NodeJS.ProcessEnv {
  return {
    GOGC: PROOF_GOGC,
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPLAN00000',
    AWS_SECRET_ACCESS_KEY: 'offline-plan-secret-key-not-real',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The provider's skip flags, as an override file beside the stack, so the deployed config keeps its checks. */
export const OFFLINE_PROVIDER_OVERRIDE = {
  provider: {
    aws: [
      {
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: 'true',
        skip_region_validation: true,
        allowed_account_ids: null,
      },
    ],
  },
  // Plans read no state left by anything else.
  terraform: { backend: { local: { path: 'offline-proof.tfstate' } } },
};
