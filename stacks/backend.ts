import { CloudBackend, LocalBackend, NamedCloudWorkspace, TerraformStack } from 'cdktf';

/** Where a stack keeps its state, read from the environment once per synth. */
export type BackendChoice =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'cloud';
      readonly organization: string;
      readonly hostname: string;
      readonly project?: string;
      readonly workspacePrefix: string;
    };

/**
 * Terraform Cloud when TF_CLOUD_ORGANIZATION is set (one workspace per stack: prefix + stack name),
 * otherwise a local backend, so synth and plan work with no account.
 * OPS_AUTOPILOT_BACKEND=local forces the local backend (the offline proof uses it).
 */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const organization = env.TF_CLOUD_ORGANIZATION?.trim();
  if (!organization || env.OPS_AUTOPILOT_BACKEND === 'local') return { kind: 'local' };
  return {
    kind: 'cloud',
    organization,
    hostname: env.TF_CLOUD_HOSTNAME?.trim() || 'app.terraform.io',
    ...(env.TF_CLOUD_PROJECT?.trim() ? { project: env.TF_CLOUD_PROJECT.trim() } : {}),
    workspacePrefix: env.OPS_AUTOPILOT_WORKSPACE_PREFIX ?? 'ops-autopilot-',
  };
}

export function workspaceName(
  choice: Extract<BackendChoice, { kind: 'cloud' }>,
  stackName: string,
): string {
  const name = `${choice.workspacePrefix}${stackName}`;
  if (!/^[A-Za-z0-9_-]{1,90}$/.test(name)) {
    throw new Error(
      `Terraform Cloud workspace name "${name}" must be 1-90 letters, digits, "-" or "_"`,
    );
  }
  return name;
}

export function applyBackend(
  stack: TerraformStack,
  stackName: string,
  choice: BackendChoice,
): void {
  if (choice.kind === 'cloud') {
    new CloudBackend(stack, {
      organization: choice.organization,
      hostname: choice.hostname,
      workspaces: new NamedCloudWorkspace(workspaceName(choice, stackName), choice.project),
    });
    return;
  }
  // Relative to the stack's folder (cdktf.out/stacks/<name>), so the synthesized JSON holds no machine path.
  new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}
