/** IAM changes: policy documents of IAM resources and resource policies, attachments, grants. */

import { policyDiff, type Side } from './policy';
import type { Action, IamChange, PolicyDiff, TfConfigResource, TfResourceChange } from './types';
import {
  asList,
  attributeDetails,
  beforeAndAfter,
  field,
  flagged,
  isConfigured,
  isObject,
  referencesOf,
} from './values';

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

/** A Lambda permission as one sentence: who may do what on which function, from which source. */
function lambdaPermission(d: (key: string) => string | undefined): string {
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
    const { before, after } = beforeAndAfter(rc, action, config, lambdaPermission);
    if (before && after && before !== after) details.push(`was: ${before}`, `now: ${after}`);
    else if (after ?? before) details.push((after ?? before) as string);
  }
  if (policies.length === 0 && !alwaysIam(rc.type)) return undefined;
  return { address: rc.address, type: rc.type, action, policies, details };
}
