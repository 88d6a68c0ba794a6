import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { GuardConfig } from './env';
import { CONCURRENCY_SCALING_NODE_TYPES, nodeTypeLimits, RA3_UPGRADE_TARGETS } from './node-types';
import { chooseTarget, describeResizeOptions, type SizedTarget } from './sizing';

export type NodeTypeChange =
  | { readonly ok: true; readonly nodeType: string; readonly sized: SizedTarget }
  | { readonly ok: false; readonly message: string };

const ALTERNATIVES =
  'change the node type by hand with a classic resize or a snapshot restore ' +
  '(https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-considerations.html#rs-upgrading-to-ra3)';

/**
 * The DC2 -> RA3 change by elastic resize (RA3_NODE_TYPE), with its own limits: a documented target of this
 * DC2 type (RA3_UPGRADE_TARGETS), a multi-node source, and a node count Redshift lists for elastic resize to
 * that type (DescribeNodeConfigurationOptions, resize-cluster), at least 2 and within MAX_NODE_COUNT, the RA3
 * type's limit and the concurrency scaling cap; among those, the fewest nodes under TARGET_DISK_PERCENT.
 */
export async function planNodeTypeChange(
  redshift: RedshiftClient,
  config: GuardConfig & { readonly ra3NodeType: string },
  from: { readonly nodeType: string; readonly nodes: number },
): Promise<NodeTypeChange> {
  const to = config.ra3NodeType;
  const refuse = (why: string): NodeTypeChange => ({
    ok: false,
    message: `RA3_NODE_TYPE ${to}: ${why}; ${ALTERNATIVES}`,
  });
  const targets = RA3_UPGRADE_TARGETS[from.nodeType] ?? [];
  if (!targets.includes(to)) {
    return refuse(`not a documented upgrade of ${from.nodeType} (${targets.join(', ') || 'none'})`);
  }
  if (from.nodes < 2) {
    return refuse(`elastic resize never starts from a single-node cluster (${from.nodeType})`);
  }
  const limits = nodeTypeLimits(to);
  const scalingCap = CONCURRENCY_SCALING_NODE_TYPES.has(to)
    ? config.concurrencyScalingMaxNodes
    : Number.POSITIVE_INFINITY;
  const upper = Math.min(config.maxNodeCount, limits?.maxNodes ?? 0, scalingCap);
  const sized = chooseTarget(await describeResizeOptions(redshift, config.clusterId, to, 1), {
    nodeType: to,
    current: 1,
    upper,
    wantedPercent: config.targetDiskPercent,
  });
  if (sized === undefined) {
    return refuse(
      `Redshift lists no elastic resize of ${from.nodes} ${from.nodeType} nodes to 2-${upper} ${to} nodes with a disk estimate`,
    );
  }
  return { ok: true, nodeType: to, sized };
}
