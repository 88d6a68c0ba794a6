/**
 * Pure plan summaries for review: input is the JSON of `terraform show -json <plan>` (or, for remote runs
 * whose JSON is not available, the text of `cdktf diff` / `terraform plan`); output is a structured summary
 * per stack and a Markdown rendering for a pull-request comment. IAM changes (policies of IAM resources
 * and the resource policies of KMS keys, SNS topics, SQS queues, ..., Lambda permissions) and security-group
 * changes are called out with the details a reviewer needs. Nothing here reads files or runs programs.
 */

/** The hidden marker that identifies the plan comment on a pull request (the workflow edits it in place). */
export const PLAN_COMMENT_MARKER = '<!-- ops-autopilot-plan -->';

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

interface TfExpression {
  constant_value?: unknown;
  references?: string[];
}

interface TfConfigResource {
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

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, key: string): unknown {
  return isObject(v) ? v[key] : undefined;
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function strings(v: unknown): string[] {
  return asList(v).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Deterministic JSON: object keys sorted, so equal values compare equal as text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Terraform marks unknown and sensitive values with `true` at the attribute's path (or the whole value). */
function flagged(marks: unknown, key: string): boolean {
  return marks === true || field(marks, key) === true;
}

export function classifyActions(actions: readonly string[]): Action {
  const set = new Set(actions);
  if (set.has('delete') && set.has('create')) return 'replace';
  for (const a of ['create', 'update', 'delete', 'read', 'forget'] as const)
    if (set.has(a)) return a;
  return 'no-op';
}

function emptyCounts(): Counts {
  return { add: 0, change: 0, destroy: 0, replace: 0, read: 0, forget: 0, import: 0 };
}

function count(counts: Counts, action: Action): void {
  if (action === 'create') counts.add++;
  else if (action === 'update') counts.change++;
  else if (action === 'delete') counts.destroy++;
  else if (action === 'replace') counts.replace++;
  else if (action === 'read') counts.read++;
  else if (action === 'forget') counts.forget++;
}

/** The configuration block of a resource instance (`x.y[0]` -> `x.y`); root module only. */
function configFor(plan: TfPlan, rc: TfResourceChange): TfConfigResource | undefined {
  if (rc.module_address) return undefined;
  const address = rc.address.replace(/\[[^\]]*\]$/, '');
  return plan.configuration?.root_module?.resources?.find((r) => r.address === address);
}

/** The most specific references of an attribute's expression (drops `a.b` when `a.b.id` is listed). */
function referencesOf(config: TfConfigResource | undefined, key: string): string[] | undefined {
  const expression = field(config?.expressions, key) as TfExpression | undefined;
  const refs = expression?.references ?? [];
  const specific = refs.filter((r) => !refs.some((o) => o !== r && o.startsWith(`${r}.`)));
  return specific.length > 0 ? [...new Set(specific)] : undefined;
}

function isConfigured(config: TfConfigResource | undefined, key: string): boolean {
  return field(config?.expressions, key) !== undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Policies.

function principalList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (!isObject(v)) return strings(v);
  return Object.keys(v)
    .sort()
    .flatMap((kind) => strings(v[kind]).map((p) => `${kind}:${p}`));
}

function conditionList(v: unknown): string[] | undefined {
  if (!isObject(v)) return undefined;
  const out: string[] = [];
  for (const op of Object.keys(v).sort()) {
    const clauses = v[op];
    if (!isObject(clauses)) continue;
    for (const key of Object.keys(clauses).sort()) {
      out.push(`${op} ${key}=${strings(clauses[key]).join('|')}`);
    }
  }
  return out.length > 0 ? out : undefined;
}

function sortedStrings(v: unknown): string[] | undefined {
  return v === undefined ? undefined : [...strings(v)].sort();
}

export function normalizeStatement(raw: unknown): PolicyStatement {
  const s = isObject(raw) ? raw : {};
  const out: PolicyStatement = { effect: typeof s.Effect === 'string' ? s.Effect : 'Allow' };
  if (typeof s.Sid === 'string' && s.Sid) out.sid = s.Sid;
  const fields: Array<[keyof PolicyStatement, string, (v: unknown) => string[] | undefined]> = [
    ['principals', 'Principal', principalList],
    ['notPrincipals', 'NotPrincipal', principalList],
    ['actions', 'Action', sortedStrings],
    ['notActions', 'NotAction', sortedStrings],
    ['resources', 'Resource', sortedStrings],
    ['notResources', 'NotResource', sortedStrings],
    ['conditions', 'Condition', conditionList],
  ];
  for (const [key, source, convert] of fields) {
    const value = convert(s[source]);
    if (value) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Statements of a policy document given as JSON text (as the AWS provider stores it) or as an object. */
export function parsePolicy(doc: unknown): PolicyStatement[] | undefined {
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    if (doc.trim() === '') return [];
    try {
      parsed = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  if (!isObject(parsed)) return undefined;
  return asList(parsed.Statement).map(normalizeStatement);
}

function diffStatements(
  before: PolicyStatement[],
  after: PolicyStatement[],
): Pick<PolicyDiff, 'added' | 'removed' | 'unchanged'> {
  const beforeKeys = new Set(before.map(canonical));
  const afterKeys = new Set(after.map(canonical));
  return {
    added: after.filter((s) => !beforeKeys.has(canonical(s))),
    removed: before.filter((s) => !afterKeys.has(canonical(s))),
    unchanged: after.filter((s) => beforeKeys.has(canonical(s))).length,
  };
}

interface Side {
  value: unknown;
  unknown: boolean;
  sensitive: boolean;
}

function policyDiff(
  attribute: string,
  before: Side | undefined,
  after: Side | undefined,
  references?: string[],
): PolicyDiff {
  const none = { added: [], removed: [], unchanged: 0 };
  if (before?.sensitive || after?.sensitive) return { attribute, state: 'sensitive', ...none };
  if (after?.unknown) {
    const removed = before ? (parsePolicy(before.value) ?? []) : [];
    return {
      attribute,
      state: 'unknown',
      ...none,
      removed,
      ...(references ? { references } : {}),
    };
  }
  const b = before ? parsePolicy(before.value) : [];
  const a = after ? parsePolicy(after.value) : [];
  if (!b || !a) return { attribute, state: 'invalid', ...none };
  return { attribute, state: 'known', ...diffStatements(b, a) };
}

/** Resource types whose attributes hold policy documents (IAM and resource policies). */
const POLICY_ATTRIBUTES: Record<string, readonly string[]> = {
  aws_iam_role: ['assume_role_policy'],
  aws_iam_policy: ['policy'],
  aws_iam_role_policy: ['policy'],
  aws_iam_user_policy: ['policy'],
  aws_iam_group_policy: ['policy'],
  aws_kms_key: ['policy'],
  aws_kms_key_policy: ['policy'],
  aws_sns_topic: ['policy'],
  aws_sns_topic_policy: ['policy'],
  aws_sqs_queue: ['policy'],
  aws_sqs_queue_policy: ['policy'],
  aws_s3_bucket_policy: ['policy'],
  aws_secretsmanager_secret: ['policy'],
  aws_secretsmanager_secret_policy: ['policy'],
  aws_ecr_repository_policy: ['policy'],
  aws_cloudwatch_log_resource_policy: ['policy_document'],
  aws_cloudwatch_event_bus_policy: ['policy'],
  aws_dynamodb_resource_policy: ['policy'],
  aws_vpc_endpoint: ['policy'],
};

/** Other attributes worth showing for IAM resources (attachments, profiles, grants). */
const IAM_DETAIL_ATTRIBUTES: Record<string, readonly string[]> = {
  aws_iam_role: ['name', 'permissions_boundary', 'managed_policy_arns'],
  aws_iam_role_policy: ['role'],
  aws_iam_user_policy: ['user'],
  aws_iam_group_policy: ['group'],
  aws_iam_policy: ['name'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_user_policy_attachment: ['user', 'policy_arn'],
  aws_iam_group_policy_attachment: ['group', 'policy_arn'],
  aws_iam_policy_attachment: ['policy_arn', 'roles', 'users', 'groups'],
  aws_iam_instance_profile: ['name', 'role'],
  aws_iam_service_linked_role: ['aws_service_name'],
  aws_iam_user: ['name', 'permissions_boundary'],
  aws_iam_group_membership: ['group', 'users'],
  aws_iam_user_group_membership: ['user', 'groups'],
  aws_iam_openid_connect_provider: ['url', 'client_id_list'],
  aws_kms_grant: ['grantee_principal', 'operations', 'key_id'],
};

/** Resource types always listed as IAM changes, even when no policy document changes. */
function alwaysIam(type: string): boolean {
  return (
    type.startsWith('aws_iam_') ||
    type === 'aws_lambda_permission' ||
    type === 'aws_kms_grant' ||
    (type.endsWith('_policy') && type in POLICY_ATTRIBUTES)
  );
}

/**
 * `value`, `refs (known after apply)` or `(sensitive)`, for one attribute of one side of a change.
 * An unknown attribute the configuration does not set (a computed default) gives undefined.
 */
function describe(
  values: unknown,
  unknownMarks: unknown,
  sensitiveMarks: unknown,
  key: string,
  config?: TfConfigResource,
): string | undefined {
  if (flagged(sensitiveMarks, key)) return '(sensitive)';
  if (flagged(unknownMarks, key)) {
    if (config && !isConfigured(config, key)) return undefined;
    const refs = referencesOf(config, key);
    return refs ? `${refs.join(', ')} (known after apply)` : '(known after apply)';
  }
  const v = field(values, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : strings(v).join(', ');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function attributeDetails(
  rc: TfResourceChange,
  keys: readonly string[],
  config: TfConfigResource | undefined,
): string[] {
  const c = rc.change;
  const out: string[] = [];
  for (const key of keys) {
    const before = describe(c.before, undefined, c.before_sensitive, key);
    const after = describe(c.after, c.after_unknown, c.after_sensitive, key, config);
    if (before === after) {
      if (after !== undefined) out.push(`${key}: ${after}`);
    } else if (before !== undefined && after !== undefined) {
      out.push(`${key}: ${before} -> ${after}`);
    } else if (after !== undefined) {
      out.push(`${key}: ${after}`);
    } else if (before !== undefined) {
      out.push(`${key}: ${before} -> (none)`);
    }
  }
  return out;
}

/** A Lambda permission as one sentence: who may do what on which function, from which source. */
function lambdaPermission(
  values: unknown,
  unknownMarks: unknown,
  sensitiveMarks: unknown,
  config: TfConfigResource | undefined,
): string | undefined {
  if (!isObject(values)) return undefined;
  const d = (key: string) => describe(values, unknownMarks, sensitiveMarks, key, config);
  const parts = [
    `${d('principal') ?? '?'} may ${d('action') ?? '?'} on ${d('function_name') ?? '?'}`,
  ];
  if (d('qualifier')) parts.push(`qualifier ${d('qualifier')}`);
  for (const key of [
    'source_arn',
    'source_account',
    'principal_org_id',
    'event_source_token',
    'function_url_auth_type',
  ]) {
    const v = d(key);
    if (v) parts.push(`${key} ${v}`);
  }
  return parts.join(', ');
}

function sides(rc: TfResourceChange, key: string): { before?: Side; after?: Side } {
  const c = rc.change;
  const before =
    isObject(c.before) && c.before[key] !== undefined && c.before[key] !== null
      ? { value: c.before[key], unknown: false, sensitive: flagged(c.before_sensitive, key) }
      : undefined;
  const afterUnknown = flagged(c.after_unknown, key);
  const after =
    isObject(c.after) && ((c.after[key] !== undefined && c.after[key] !== null) || afterUnknown)
      ? { value: c.after[key], unknown: afterUnknown, sensitive: flagged(c.after_sensitive, key) }
      : undefined;
  return { before, after };
}

/** inline_policy blocks of aws_iam_role, keyed by name. */
function inlinePolicies(values: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const block of asList(field(values, 'inline_policy'))) {
    const name = field(block, 'name');
    const policy = field(block, 'policy');
    if (typeof name === 'string' && name && policy !== undefined) out.set(name, policy);
  }
  return out;
}

function policyChanged(p: PolicyDiff): boolean {
  return p.state !== 'known' || p.added.length > 0 || p.removed.length > 0;
}

export function iamChange(
  rc: TfResourceChange,
  action: Action,
  config?: TfConfigResource,
): IamChange | undefined {
  const c = rc.change;
  const policies: PolicyDiff[] = [];
  for (const key of POLICY_ATTRIBUTES[rc.type] ?? []) {
    const { before, after } = sides(rc, key);
    if (!before && !after) continue;
    // A computed policy nobody configured (e.g. an SNS topic's default policy) is not a change to review.
    if (!before && after?.unknown && !isConfigured(config, key) && !alwaysIam(rc.type)) continue;
    const diff = policyDiff(key, before, after, referencesOf(config, key));
    if (action !== 'update' || policyChanged(diff)) policies.push(diff);
  }
  if (rc.type === 'aws_iam_role') {
    const before = inlinePolicies(c.before);
    const after = inlinePolicies(c.after);
    for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const b = before.has(name)
        ? { value: before.get(name), unknown: false, sensitive: false }
        : undefined;
      const a = after.has(name)
        ? { value: after.get(name), unknown: false, sensitive: false }
        : undefined;
      const diff = policyDiff(`inline_policy[${name}]`, b, a);
      if (action !== 'update' || policyChanged(diff)) policies.push(diff);
    }
  }
  const details = attributeDetails(rc, IAM_DETAIL_ATTRIBUTES[rc.type] ?? [], config);
  if (rc.type === 'aws_lambda_permission') {
    const before =
      action === 'create'
        ? undefined
        : lambdaPermission(c.before, undefined, c.before_sensitive, config);
    const after =
      action === 'delete'
        ? undefined
        : lambdaPermission(c.after, c.after_unknown, c.after_sensitive, config);
    if (before && after && before !== after) details.push(`was: ${before}`, `now: ${after}`);
    else if (after ?? before) details.push((after ?? before) as string);
  }
  if (policies.length === 0 && !alwaysIam(rc.type)) return undefined;
  return { address: rc.address, type: rc.type, action, policies, details };
}

// ---------------------------------------------------------------------------------------------------------
// Security groups.

const SG_TYPES = new Set([
  'aws_security_group',
  'aws_default_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
]);

export function isSecurityGroupType(type: string): boolean {
  return SG_TYPES.has(type);
}

function portRange(protocol: unknown, from: unknown, to: unknown): string {
  const p = String(protocol ?? '?').toLowerCase();
  if (p === '-1' || p === 'all') return 'all traffic';
  const name = p === '6' ? 'tcp' : p === '17' ? 'udp' : p === '1' ? 'icmp' : p;
  if (name === 'icmp' || name === 'icmpv6' || name === '58') {
    return from === undefined || from === null || from === -1 ? name : `${name} type ${from}`;
  }
  if (from === undefined || from === null) return `${name}/?`;
  if ((from === 0 && to === 65535) || (from === -1 && to === -1)) return `${name}/all ports`;
  return from === to || to === undefined || to === null
    ? `${name}/${from}`
    : `${name}/${from}-${to}`;
}

const OPEN = new Set(['0.0.0.0/0', '::/0']);

/** A rule of an inline `ingress`/`egress` block or of aws_security_group_rule. */
function legacyRule(
  direction: 'ingress' | 'egress',
  r: Json,
  peersOverride?: string[],
): SecurityGroupRule {
  const peers = peersOverride ?? [
    ...strings(r.cidr_blocks),
    ...strings(r.ipv6_cidr_blocks),
    ...strings(r.security_groups).map((g) => `sg ${g}`),
    ...(typeof r.source_security_group_id === 'string' ? [`sg ${r.source_security_group_id}`] : []),
    ...strings(r.prefix_list_ids).map((p) => `pl ${p}`),
    ...(r.self === true ? ['self'] : []),
  ];
  const description =
    typeof r.description === 'string' && r.description ? r.description : undefined;
  return {
    direction,
    ports: portRange(r.protocol, r.from_port, r.to_port),
    peers,
    ...(description ? { description } : {}),
    open: direction === 'ingress' && peers.some((p) => OPEN.has(p)),
  };
}

function ruleKey(r: SecurityGroupRule): string {
  return canonical({ ...r, peers: [...r.peers].sort() });
}

function diffRules(
  before: SecurityGroupRule[],
  after: SecurityGroupRule[],
): { added: SecurityGroupRule[]; removed: SecurityGroupRule[] } {
  const b = new Set(before.map(ruleKey));
  const a = new Set(after.map(ruleKey));
  return {
    added: after.filter((r) => !b.has(ruleKey(r))),
    removed: before.filter((r) => !a.has(ruleKey(r))),
  };
}

/** One side of a standalone rule resource (aws_vpc_security_group_*_rule or aws_security_group_rule). */
function standaloneRule(
  type: string,
  values: unknown,
  unknownMarks: unknown,
  sensitiveMarks: unknown,
  config: TfConfigResource | undefined,
): SecurityGroupRule | undefined {
  if (!isObject(values)) return undefined;
  const d = (key: string) => describe(values, unknownMarks, sensitiveMarks, key, config);
  if (type === 'aws_security_group_rule') {
    const direction = values.type === 'egress' ? 'egress' : 'ingress';
    const peers = [
      ...['cidr_blocks', 'ipv6_cidr_blocks'].flatMap((k) => {
        const v = d(k);
        return v ? v.split(', ') : [];
      }),
      ...(d('source_security_group_id') ? [`sg ${d('source_security_group_id')}`] : []),
      ...(d('prefix_list_ids') ? [`pl ${d('prefix_list_ids')}`] : []),
      ...(values.self === true ? ['self'] : []),
    ];
    return legacyRule(direction, values, peers);
  }
  const direction = type.endsWith('_egress_rule') ? 'egress' : 'ingress';
  const peers = [
    ...(d('cidr_ipv4') ? [d('cidr_ipv4') as string] : []),
    ...(d('cidr_ipv6') ? [d('cidr_ipv6') as string] : []),
    ...(d('referenced_security_group_id') ? [`sg ${d('referenced_security_group_id')}`] : []),
    ...(d('prefix_list_id') ? [`pl ${d('prefix_list_id')}`] : []),
  ];
  const description = d('description');
  return {
    direction,
    ports: portRange(values.ip_protocol, values.from_port, values.to_port),
    peers,
    ...(description ? { description } : {}),
    open: direction === 'ingress' && peers.some((p) => OPEN.has(p)),
  };
}

function inlineRules(values: unknown, direction: 'ingress' | 'egress'): SecurityGroupRule[] {
  return asList(field(values, direction))
    .filter(isObject)
    .map((r) => legacyRule(direction, r));
}

export function securityGroupChange(
  rc: TfResourceChange,
  action: Action,
  config?: TfConfigResource,
): SecurityGroupChange | undefined {
  if (!SG_TYPES.has(rc.type)) return undefined;
  const c = rc.change;
  const base = { address: rc.address, type: rc.type, action };
  if (rc.type === 'aws_security_group' || rc.type === 'aws_default_security_group') {
    const details = attributeDetails(rc, ['name', 'description', 'vpc_id'], config).filter(
      (d) => action !== 'update' || d.includes(' -> '),
    );
    const added: SecurityGroupRule[] = [];
    const removed: SecurityGroupRule[] = [];
    for (const direction of ['ingress', 'egress'] as const) {
      if (flagged(c.after_unknown, direction) && action !== 'delete') {
        // Computed when rules are managed by separate rule resources; only a configured block is news.
        if (isConfigured(config, direction)) details.push(`${direction} rules known after apply`);
        continue;
      }
      const diff = diffRules(
        action === 'create' ? [] : inlineRules(c.before, direction),
        action === 'delete' ? [] : inlineRules(c.after, direction),
      );
      added.push(...diff.added);
      removed.push(...diff.removed);
    }
    if (action === 'update' && added.length + removed.length + details.length === 0)
      return undefined;
    return { ...base, added, removed, details };
  }
  const before =
    action === 'create'
      ? undefined
      : standaloneRule(rc.type, c.before, undefined, c.before_sensitive, config);
  const after =
    action === 'delete'
      ? undefined
      : standaloneRule(rc.type, c.after, c.after_unknown, c.after_sensitive, config);
  const diff = diffRules(before ? [before] : [], after ? [after] : []);
  const group =
    describe(c.after, c.after_unknown, c.after_sensitive, 'security_group_id', config) ??
    describe(c.before, undefined, c.before_sensitive, 'security_group_id');
  return { ...base, ...(group ? { group } : {}), ...diff, details: [] };
}

// ---------------------------------------------------------------------------------------------------------
// Plans.

function changedAttributes(c: TfChange): string[] {
  const before = isObject(c.before) ? c.before : {};
  const after = isObject(c.after) ? c.after : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  if (isObject(c.after_unknown)) for (const k of Object.keys(c.after_unknown)) keys.add(k);
  return [...keys]
    .filter((k) => {
      if (flagged(c.after_unknown, k) && !isObject(field(c.after_unknown, k))) return true;
      return canonical(before[k]) !== canonical(after[k]);
    })
    .sort();
}

function pathText(path: unknown[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function resourceSummary(rc: TfResourceChange, action: Action): ResourceSummary {
  const out: ResourceSummary = { address: rc.address, type: rc.type, action };
  if (rc.action_reason) out.reason = rc.action_reason;
  if (rc.change.replace_paths?.length) out.replacePaths = rc.change.replace_paths.map(pathText);
  if (action === 'update') out.changedAttributes = changedAttributes(rc.change);
  if (rc.change.importing) out.imported = true;
  return out;
}

/** Summarizes one stack's plan (`terraform show -json`). No-op and data-source reads are left out. */
export function summarizePlan(stack: string, plan: TfPlan): StackSummary {
  const counts = emptyCounts();
  const types = new Map<string, TypeCounts>();
  const changes: ResourceSummary[] = [];
  const iam: IamChange[] = [];
  const securityGroups: SecurityGroupChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = classifyActions(rc.change.actions);
    if (rc.change.importing) counts.import++;
    if (action === 'no-op' && !rc.change.importing) continue;
    count(counts, action);
    changes.push(resourceSummary(rc, action));
    if (rc.mode === 'data' || action === 'read') continue;
    const t = types.get(rc.type) ?? { type: rc.type, add: 0, change: 0, destroy: 0, replace: 0 };
    if (action === 'create') t.add++;
    else if (action === 'update') t.change++;
    else if (action === 'delete') t.destroy++;
    else if (action === 'replace') t.replace++;
    types.set(rc.type, t);
    if (action === 'no-op' || action === 'forget') continue;
    const config = configFor(plan, rc);
    const i = iamChange(rc, action, config);
    if (i) iam.push(i);
    const s = securityGroupChange(rc, action, config);
    if (s) securityGroups.push(s);
  }
  const byAddress = (a: { address: string }, b: { address: string }) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
  return {
    stack,
    source: 'plan-json',
    counts,
    byType: [...types.values()]
      .filter((t) => t.add + t.change + t.destroy + t.replace > 0)
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
    changes: changes.sort(byAddress),
    iam: iam.sort(byAddress),
    securityGroups: securityGroups.sort(byAddress),
    ...(plan.errored ? { error: 'the plan errored' } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Plan text (remote runs): counts, run link and errors only.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Reads the log of `cdktf diff` / `terraform plan` (lines may carry cdktf's stack-name prefix): the
 * `Plan: ...` or `No changes.` line, the Terraform Cloud run link, and `Error:` diagnostics.
 */
export function summarizePlanText(stack: string, text: string): StackSummary {
  const clean = text.replace(ANSI, '');
  const counts = emptyCounts();
  const plan =
    /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?/.exec(
      clean,
    );
  const noChanges = /No changes\. (?:Your )?infrastructure matches the configuration/.test(clean);
  if (plan) {
    counts.import = Number(plan[1] ?? 0);
    counts.add = Number(plan[2]);
    counts.change = Number(plan[3]);
    counts.destroy = Number(plan[4]);
    counts.forget = Number(plan[5] ?? 0);
  }
  const runUrl = /https?:\/\/[^\s"'<>]+\/runs\/run-[A-Za-z0-9]+/.exec(clean)?.[0];
  const errors = clean
    .split('\n')
    .map((l) => l.replace(/^.*?(?=Error: )/, '').trim())
    .filter((l) => l.startsWith('Error: '));
  const error =
    errors.length > 0
      ? [...new Set(errors)].join('\n')
      : !plan && !noChanges
        ? 'no plan result found in the log'
        : undefined;
  return {
    stack,
    source: 'plan-text',
    counts,
    byType: [],
    changes: [],
    iam: [],
    securityGroups: [],
    ...(runUrl ? { runUrl } : {}),
    ...(error ? { error } : {}),
  };
}

/** The Terraform Cloud run id in a run link (`.../runs/run-abc123`). */
export function runIdOf(url: string): string | undefined {
  return /\/runs\/(run-[A-Za-z0-9]+)/.exec(url)?.[1];
}

// ---------------------------------------------------------------------------------------------------------
// Markdown.

export interface RenderOptions {
  /** Heading of the whole summary. */
  title?: string;
  /** A paragraph under the heading (e.g. what the plan was made against). */
  note?: string;
  /** Wraps each stack's details in a collapsed `<details>` block. */
  collapsed?: boolean;
  /** Upper bound of the rendered length (GitHub comments hold 65,536 characters). */
  maxLength?: number;
}

const SYMBOL: Record<Action, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  forget: 'forget',
  'no-op': '',
};

/** Inline code that survives backticks in the value. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** Plain text for Markdown: no HTML, no table breaks, no emphasis or links from the value. */
export function text(value: string): string {
  return value
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

export function countsLine(c: Counts): string {
  const parts = [
    `${c.add} to add`,
    `${c.change} to change`,
    `${c.destroy} to destroy`,
    `${c.replace} to replace`,
  ];
  if (c.import) parts.unshift(`${c.import} to import`);
  if (c.forget) parts.push(`${c.forget} to forget`);
  return parts.join(', ');
}

function statementLine(s: PolicyStatement): string {
  const list = (xs: string[] | undefined) => (xs ?? []).map(code).join(', ');
  const parts: string[] = [s.effect === 'Deny' ? '**Deny**' : s.effect];
  if (s.principals) parts.push(`${list(s.principals)} to`);
  if (s.notPrincipals) parts.push(`all principals but ${list(s.notPrincipals)} to`);
  if (s.actions) parts.push(list(s.actions));
  if (s.notActions) parts.push(`all actions but ${list(s.notActions)}`);
  if (s.resources) parts.push(`on ${list(s.resources)}`);
  if (s.notResources) parts.push(`on all but ${list(s.notResources)}`);
  if (s.conditions) parts.push(`when ${list(s.conditions)}`);
  if (s.sid) parts.push(`(${text(s.sid)})`);
  return parts.join(' ');
}

function statements(n: number): string {
  return `${n} statement${n === 1 ? '' : 's'}`;
}

function policyLines(p: PolicyDiff, action: Action): string[] {
  const head = `${code(p.attribute)}`;
  if (p.state === 'sensitive') return [`  - ${head}: sensitive, not shown`];
  if (p.state === 'invalid') return [`  - ${head}: not a JSON policy document`];
  const out: string[] = [];
  if (p.state === 'unknown') {
    const refs = p.references ? ` from ${p.references.map(code).join(', ')}` : '';
    out.push(`  - ${head}: **known only after apply**${refs}; review it in the apply`);
  } else if (p.added.length === 0 && p.removed.length === 0) {
    out.push(`  - ${head}: unchanged (${statements(p.unchanged)})`);
  } else if (action === 'create' || (action === 'delete' && p.added.length === 0)) {
    out.push(`  - ${head}: ${statements(p.added.length + p.removed.length)}`);
  } else {
    const unchanged = p.unchanged > 0 ? `, ${p.unchanged} unchanged` : '';
    out.push(`  - ${head}: ${p.added.length} added, ${p.removed.length} removed${unchanged}`);
  }
  for (const s of p.added) out.push(`    - \`+\` ${statementLine(s)}`);
  for (const s of p.removed) out.push(`    - \`-\` ${statementLine(s)}`);
  return out;
}

function ruleLine(r: SecurityGroupRule): string {
  const dir = r.direction === 'ingress' ? 'ingress from' : 'egress to';
  const peers = r.peers.length > 0 ? r.peers.map(code).join(', ') : '(no peer)';
  const open = r.open ? ' **⚠ open to the internet**' : '';
  const description = r.description ? ` (${text(r.description)})` : '';
  return `${dir} ${peers} on ${code(r.ports)}${open}${description}`;
}

function actionTag(a: Action): string {
  return `${code(SYMBOL[a] || a)} ${a}`;
}

function stackHeading(s: StackSummary): string {
  const status = s.error ? '❌ plan failed' : countsLine(s.counts);
  return `### ${code(s.stack)}: ${status}`;
}

function stackBody(s: StackSummary, compact: boolean): string[] {
  const out: string[] = [];
  if (s.runUrl) out.push(`Run: ${s.runUrl}`, '');
  if (s.error) out.push('```text', s.error.split('\n').slice(0, 30).join('\n'), '```', '');
  if (s.source === 'plan-text') {
    if (!s.error) out.push(`${countsLine(s.counts)} (counts from the run log; no JSON plan)`, '');
    return out;
  }
  if (s.changes.length === 0 && !s.error) {
    out.push('No changes.', '');
    return out;
  }
  if (!compact && s.byType.length > 0) {
    out.push(
      '| resource type | add | change | destroy | replace |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const t of s.byType) {
      const n = (x: number) => (x === 0 ? '' : String(x));
      out.push(
        `| ${code(t.type)} | ${n(t.add)} | ${n(t.change)} | ${n(t.destroy)} | ${n(t.replace)} |`,
      );
    }
    out.push('');
  }
  if (s.iam.length > 0) {
    out.push(`**IAM changes (${s.iam.length})**`, '');
    for (const i of s.iam) {
      out.push(`- ${actionTag(i.action)} ${code(i.address)}`);
      for (const d of i.details) out.push(`  - ${text(d)}`);
      for (const p of i.policies) out.push(...policyLines(p, i.action));
    }
    out.push('');
  }
  if (s.securityGroups.length > 0) {
    out.push(`**Security group changes (${s.securityGroups.length})**`, '');
    for (const g of s.securityGroups) {
      const group = g.group ? ` in ${code(g.group)}` : '';
      out.push(`- ${actionTag(g.action)} ${code(g.address)}${group}`);
      for (const d of g.details) out.push(`  - ${text(d)}`);
      for (const r of g.added) out.push(`  - \`+\` ${ruleLine(r)}`);
      for (const r of g.removed) out.push(`  - \`-\` ${ruleLine(r)}`);
    }
    out.push('');
  }
  if (!compact) {
    out.push(`<details><summary>All ${s.changes.length} changes</summary>`, '');
    for (const c of s.changes) {
      const extra: string[] = [];
      if (c.imported && c.action !== 'no-op') extra.push('imported');
      if (c.replacePaths?.length) extra.push(`forced by ${c.replacePaths.map(code).join(', ')}`);
      if (c.changedAttributes?.length) extra.push(c.changedAttributes.map(code).join(', '));
      if (c.reason) extra.push(code(c.reason));
      const tag =
        c.action === 'no-op' && c.imported ? `${code('import')} import only` : actionTag(c.action);
      out.push(`- ${tag} ${code(c.address)}${extra.length ? `: ${extra.join('; ')}` : ''}`);
    }
    out.push('', '</details>', '');
  } else if (compact) {
    const risky = s.changes.filter((c) => c.action === 'delete' || c.action === 'replace');
    if (risky.length > 0) {
      out.push('**Destroyed or replaced**', '');
      for (const c of risky) out.push(`- ${actionTag(c.action)} ${code(c.address)}`);
      out.push('');
    }
  }
  return out;
}

function renderWith(
  summaries: readonly StackSummary[],
  options: RenderOptions,
  compact: boolean,
): string {
  const out: string[] = [];
  if (options.title) out.push(`## ${text(options.title)}`, '');
  if (options.note) out.push(options.note, '');
  if (summaries.length === 0) {
    out.push('No stacks were planned.', '');
    return out.join('\n');
  }
  out.push(
    '| stack | add | change | destroy | replace | IAM | security groups |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of summaries) {
    const c = s.counts;
    const detail = (n: number) => (s.source === 'plan-text' ? '?' : String(n));
    const row = s.error
      ? `| ${code(s.stack)} | ❌ | | | | | |`
      : `| ${code(s.stack)} | ${c.add} | ${c.change} | ${c.destroy} | ${s.source === 'plan-text' ? '?' : c.replace} | ${detail(s.iam.length)} | ${detail(s.securityGroups.length)} |`;
    out.push(row);
  }
  out.push('');
  for (const s of summaries) {
    const body = stackBody(s, compact);
    if (options.collapsed) {
      const status = s.error ? 'plan failed' : countsLine(s.counts);
      out.push(
        `<details><summary><code>${s.stack}</code>: ${status}</summary>`,
        '',
        ...body,
        '</details>',
        '',
      );
    } else {
      out.push(stackHeading(s), '', ...body);
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/**
 * Markdown for a pull-request comment or a job summary. When the full rendering exceeds maxLength, the
 * per-resource lists are dropped (destroyed and replaced resources stay listed); if that is still too long,
 * the text is cut at a line and says so.
 */
export function renderMarkdown(
  summaries: readonly StackSummary[],
  options: RenderOptions = {},
): string {
  const max = options.maxLength ?? Infinity;
  const full = renderWith(summaries, options, false);
  if (full.length <= max) return full;
  const compact = renderWith(summaries, options, true);
  if (compact.length <= max) return compact;
  const note = '\n\n_Summary cut to fit; the whole summary is in the workflow run._\n';
  const cut = compact.slice(0, Math.max(0, max - note.length - 32));
  const lines = cut.slice(0, cut.lastIndexOf('\n')).split('\n');
  const open = lines.filter((l) => l.startsWith('<details>')).length;
  const closed = lines.filter((l) => l.startsWith('</details>')).length;
  const fences = lines.filter((l) => l.startsWith('```')).length;
  return (
    [
      ...lines,
      ...(fences % 2 === 1 ? ['```'] : []),
      ...Array.from({ length: Math.max(0, open - closed) }, () => '</details>'),
    ].join('\n') + note
  );
}
