import { createHash } from 'node:crypto';

/**
 * Step Functions execution name for one alarm transition of one cluster: deterministic (a duplicate SNS
 * delivery of the same notification yields the same name, so StartExecution is idempotent), at most 80
 * characters, only [A-Za-z0-9-_]. The hash keeps names distinct when the cluster id is truncated.
 */
export function executionNameFor(
  clusterId: string,
  stateChangeTime: Date,
  source: 'alarm' | 'recheck' = 'alarm',
): string {
  const stamp = stateChangeTime.toISOString().replace(/[-:]/g, '').replace('.', ''); // 20240101T000500123Z
  // A re-check tick at the same instant as an alarm transition still gets its own name.
  const seed = `${clusterId}\n${stateChangeTime.toISOString()}${source === 'alarm' ? '' : '\nrecheck'}`;
  const digest = createHash('sha256').update(seed).digest('hex').slice(0, 8);
  const clusterPart = clusterId.slice(0, 40).replace(/-+$/, '');
  return `${clusterPart}-${source === 'alarm' ? '' : 'r'}${stamp}-${digest}`;
}

/**
 * Redshift snapshot identifier derived from the execution name: valid for CreateClusterSnapshot (starts with
 * a letter, lowercase letters/digits/single hyphens, no trailing hyphen, at most 255 characters) and the same
 * on every retry of the execution, so a repeated CreateClusterSnapshot finds its own snapshot.
 */
export function snapshotIdentifierFor(executionName: string): string {
  const body = executionName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return `resize-${body}`.slice(0, 255).replace(/-+$/, '');
}
