/** The plan JSON read here and the summary made of it. */

// ---------------------------------------------------------------------------------------------------------
// Input: the parts of `terraform show -json` used here (format_version 1.x).

export interface TfChange {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: unknown[][];
  importing?: unknown;
}

export interface TfResourceChange {
  address: string;
  module_address?: string;
  mode?: string;
  type: string;
  name?: string;
  index?: unknown;
  action_reason?: string;
  change: TfChange;
}

export interface TfExpression {
  constant_value?: unknown;
  references?: string[];
}

export interface TfConfigResource {
  address: string;
  expressions?: Record<string, unknown>;
}

export interface TfPlan {
  format_version?: string;
  terraform_version?: string;
  resource_changes?: TfResourceChange[];
  configuration?: { root_module?: { resources?: TfConfigResource[] } };
  errored?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Output.

export type Action = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'forget' | 'no-op';

export interface Counts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  /** Data sources read during apply (only with deferred reads); not a change of infrastructure. */
  read: number;
  /** Removed from state without destroying (`removed` blocks). */
  forget: number;
  /** Resources imported by this plan (import blocks), whatever else happens to them. */
  import: number;
}

export interface ResourceSummary {
  address: string;
  type: string;
  action: Action;
  /** Terraform's reason for a replace or delete (e.g. `replace_because_cannot_update`). */
  reason?: string;
  /** Attributes that force the replacement. */
  replacePaths?: string[];
  /** Top-level attributes an update changes (names only: values may be sensitive). */
  changedAttributes?: string[];
  imported?: boolean;
}

export interface TypeCounts {
  type: string;
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

export interface PolicyStatement {
  sid?: string;
  effect: string;
  principals?: string[];
  notPrincipals?: string[];
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** `Operator key=value|value` clauses, one per condition key. */
  conditions?: string[];
}

/** One policy document of a resource, compared before and after. */
export interface PolicyDiff {
  /** The attribute holding it, e.g. `policy`, `assume_role_policy`, `inline_policy[name]`. */
  attribute: string;
  /** `unknown`: known only after apply; `sensitive`: hidden; `invalid`: not a JSON policy. */
  state: 'known' | 'unknown' | 'sensitive' | 'invalid';
  added: PolicyStatement[];
  removed: PolicyStatement[];
  unchanged: number;
  /** What an unknown policy is computed from (configuration references). */
  references?: string[];
}

export interface IamChange {
  address: string;
  type: string;
  action: Action;
  policies: PolicyDiff[];
  /** Other IAM-relevant attributes: `role: a`, `policy_arn: b -> c`, a Lambda permission's grant, ... */
  details: string[];
}

export interface SecurityGroupRule {
  direction: 'ingress' | 'egress';
  /** `tcp/443`, `tcp/1024-65535`, `udp/53`, `icmp`, `all traffic`. */
  ports: string;
  /** CIDRs, `sg <id or reference>`, `pl <prefix list>`, `self`. */
  peers: string[];
  description?: string;
  /** An ingress rule from 0.0.0.0/0 or ::/0. */
  open: boolean;
}

export interface SecurityGroupChange {
  address: string;
  type: string;
  action: Action;
  /** The group a standalone rule belongs to (its id, or the configuration reference). */
  group?: string;
  added: SecurityGroupRule[];
  removed: SecurityGroupRule[];
  /** Name and description of a group resource, or a note such as "inline rules known after apply". */
  details: string[];
}

export interface StackSummary {
  stack: string;
  /** `plan-json`: full detail; `plan-text`: counts only (from the log of a remote run). */
  source: 'plan-json' | 'plan-text';
  counts: Counts;
  byType: TypeCounts[];
  changes: ResourceSummary[];
  iam: IamChange[];
  securityGroups: SecurityGroupChange[];
  /** A link to the run (Terraform Cloud), when known. */
  runUrl?: string;
  /** Set when the plan failed; the summary then holds what was known. */
  error?: string;
}
