import {
  CloudBackend,
  LocalBackend,
  NamedCloudWorkspace,
  TaggedCloudWorkspaces,
  TerraformStack,
} from 'cdktf';

/** Where a stack keeps its state, read from the environment once per synth. */
export type BackendChoice =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'cloud';
      readonly organization: string;
      readonly hostname: string;
      readonly project?: string;
      /** Workspace name = prefix + stack name (with tags: the naming convention TF_WORKSPACE follows). */
      readonly workspacePrefix: string;
      /**
       * When set, workspaces are selected by tags instead of by name: these tags plus `stack:<name>`.
       * Absent (the default): one named workspace per stack.
       */
      readonly workspaceTags?: readonly string[];
    };

export type CloudChoice = Extract<BackendChoice, { kind: 'cloud' }>;

/** The tag every workspace of one stack carries in tag mode; reserved, so user tags may not use it. */
const STACK_TAG_PREFIX = 'stack:';

/** Terraform Cloud tag rules: 1-255 letters, digits, ":", "-" or "_". */
const TAG = /^[A-Za-z0-9:_-]{1,255}$/;

/**
 * OPS_AUTOPILOT_WORKSPACE_TAGS, comma separated; blanks between commas are ignored, duplicates dropped.
 * Returns undefined when the variable is unset or holds no tag.
 */
export function parseWorkspaceTags(value: string | undefined): string[] | undefined {
  const tags = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length === 0) return undefined;
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new Error(
        `OPS_AUTOPILOT_WORKSPACE_TAGS: tag "${tag}" must be 1-255 letters, digits, ":", "-" or "_"`,
      );
    }
    if (tag.startsWith(STACK_TAG_PREFIX)) {
      throw new Error(
        `OPS_AUTOPILOT_WORKSPACE_TAGS: tag "${tag}" is reserved: every stack adds its own "${STACK_TAG_PREFIX}<stack name>" tag`,
      );
    }
  }
  return tags;
}

/**
 * Terraform Cloud when TF_CLOUD_ORGANIZATION is set, otherwise a local backend, so synth and plan work
 * with no account. In Terraform Cloud each stack uses one workspace named prefix + stack name, or, when
 * OPS_AUTOPILOT_WORKSPACE_TAGS is set, the workspaces carrying those tags plus `stack:<name>`.
 * OPS_AUTOPILOT_BACKEND=local forces the local backend (the offline proof uses it).
 */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const organization = env.TF_CLOUD_ORGANIZATION?.trim();
  if (!organization || env.OPS_AUTOPILOT_BACKEND === 'local') return { kind: 'local' };
  const workspaceTags = parseWorkspaceTags(env.OPS_AUTOPILOT_WORKSPACE_TAGS);
  return {
    kind: 'cloud',
    organization,
    hostname: env.TF_CLOUD_HOSTNAME?.trim() || 'app.terraform.io',
    ...(env.TF_CLOUD_PROJECT?.trim() ? { project: env.TF_CLOUD_PROJECT.trim() } : {}),
    workspacePrefix: env.OPS_AUTOPILOT_WORKSPACE_PREFIX ?? 'ops-autopilot-',
    ...(workspaceTags ? { workspaceTags } : {}),
  };
}

export function workspaceName(choice: CloudChoice, stackName: string): string {
  const name = `${choice.workspacePrefix}${stackName}`;
  if (!/^[A-Za-z0-9_-]{1,90}$/.test(name)) {
    throw new Error(
      `Terraform Cloud workspace name "${name}" must be 1-90 letters, digits, "-" or "_"`,
    );
  }
  return name;
}

/**
 * The tags that select one stack's workspaces: the shared tags, then `stack:<name>`. The stack tag is
 * what keeps one stack's configuration from ever being planned against another stack's workspace
 * (which would plan to destroy everything that stack owns).
 */
export function workspaceTags(choice: CloudChoice, stackName: string): string[] {
  const tag = `${STACK_TAG_PREFIX}${stackName}`;
  if (!TAG.test(tag)) {
    throw new Error(`Terraform Cloud tag "${tag}" must be 1-255 letters, digits, ":", "-" or "_"`);
  }
  return [...(choice.workspaceTags ?? []), tag];
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
      workspaces: choice.workspaceTags
        ? new TaggedCloudWorkspaces(workspaceTags(choice, stackName), choice.project)
        : new NamedCloudWorkspace(workspaceName(choice, stackName), choice.project),
    });
    return;
  }
  // Relative to the stack's folder (cdktf.out/stacks/<name>), so the synthesized JSON holds no machine path.
  new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}
