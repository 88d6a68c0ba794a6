/**
 * Node count limits per Redshift node type, from the Amazon Redshift Management Guide, checked against it:
 * - "Node type details" (https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info):
 *   dc2.large 1-32, dc2.8xlarge 2-128; ra3.xlplus 1 (single-node) or 2-16 at create, "resize with elastic
 *   resize to a maximum of 32 nodes"; ra3.4xlarge 2-32 at create, elastic "to a maximum of 64 nodes";
 *   ra3.16xlarge 2-128. A single-node cluster grows to multi-node by classic resize only.
 * - "Elastic resize", ceiling on additional nodes
 *   (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-operations.html#elastic-resize): "a dc2
 *   cluster supports elastic resize up to double the number of nodes"; ra3.4xlarge and ra3.16xlarge "up to
 *   four times the existing count"; "If your cluster has ra3.xlplus nodes, the limit is double".
 * - ResizeCluster (https://docs.aws.amazon.com/redshift/latest/APIReference/API_ResizeCluster.html): elastic
 *   resize only for dc2.* and ra3.*.
 * ra3.large is not in the versions of those pages this project could read: its row (1-16, elastic 2x, no
 * further) is the cautious reading, so the guard never targets a count Redshift may refuse. A cluster is
 * created, or classic resized, up to `classicMaxNodes`; only elastic resize reaches `maxNodes`. Re-check this
 * table when AWS adds node types: an unknown type is reported by the Guard step, never guessed.
 */
interface NodeTypeLimits {
  readonly minNodes: number;
  /** The most nodes any resize reaches. */
  readonly maxNodes: number;
  /** The most nodes a classic resize (or a new cluster) reaches. */
  readonly classicMaxNodes: number;
  /** Whether ResizeCluster accepts an elastic resize for this node type. */
  readonly elasticResize: boolean;
  /** One elastic resize grows the node count at most this many times. */
  readonly elasticMaxFactor: number;
}

const limits = (minNodes: number, classicMaxNodes: number, maxNodes = classicMaxNodes) => ({
  minNodes,
  classicMaxNodes,
  maxNodes,
});
const elastic = (elasticMaxFactor = 2) => ({ elasticResize: true, elasticMaxFactor });
const CLASSIC_ONLY = { elasticResize: false, elasticMaxFactor: 1 };

export const NODE_TYPE_LIMITS: Readonly<Record<string, NodeTypeLimits>> = {
  'dc2.large': { ...limits(1, 32), ...elastic() },
  'dc2.8xlarge': { ...limits(2, 128), ...elastic() },
  'ra3.large': { ...limits(1, 16), ...elastic() },
  'ra3.xlplus': { ...limits(1, 16, 32), ...elastic() },
  'ra3.4xlarge': { ...limits(2, 32, 64), ...elastic(4) },
  'ra3.16xlarge': { ...limits(2, 128), ...elastic(4) },
  // Previous generation: still running in places, classic resize only.
  'ds2.xlarge': { ...limits(1, 32), ...CLASSIC_ONLY },
  'ds2.8xlarge': { ...limits(2, 128), ...CLASSIC_ONLY },
  'dc1.large': { ...limits(1, 32), ...CLASSIC_ONLY },
  'dc1.8xlarge': { ...limits(2, 128), ...CLASSIC_ONLY },
};

/**
 * Concurrency scaling needs at most 32 compute nodes on these RA3 types
 * (https://docs.aws.amazon.com/redshift/latest/dg/concurrency-scaling-candidates.html): the guard stops growth
 * at CONCURRENCY_SCALING_MAX_NODES on them.
 */
export const CONCURRENCY_SCALING_NODE_TYPES: ReadonlySet<string> = new Set([
  'ra3.xlplus',
  'ra3.4xlarge',
  'ra3.16xlarge',
]);

export function nodeTypeLimits(nodeType: string): NodeTypeLimits | undefined {
  return Object.prototype.hasOwnProperty.call(NODE_TYPE_LIMITS, nodeType)
    ? NODE_TYPE_LIMITS[nodeType]
    : undefined;
}

/**
 * Parses the cluster's ElasticResizeNumberOfNodeOptions (a string such as "[2,3,5,6,7,8]") into the node
 * counts an elastic resize can reach. Undefined or unparsable means "not reported".
 */
export function parseElasticResizeOptions(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const counts = (raw.match(/\d+/g) ?? [])
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  return counts.length > 0 ? [...new Set(counts)].sort((a, b) => a - b) : undefined;
}

/**
 * DC2 -> RA3 node type changes the guard may start (redshift_ra3_node_type): the "recommended new node type"
 * of each DC2 type in "Upgrading to RA3 node types"
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-considerations.html#rs-upgrading-to-ra3):
 * dc2.8xlarge (2-15 nodes) -> ra3.4xlarge, (16-128) -> ra3.16xlarge; dc2.large (1-4) -> ra3.large, (5-15) ->
 * ra3.xlplus, (16-32) -> ra3.4xlarge. Which counts elastic resize reaches "is determined by the number of
 * nodes in the source cluster and the node type chosen": DescribeNodeConfigurationOptions (resize-cluster)
 * lists them (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-operations.html#elastic-resize),
 * and elastic resize never starts from a single-node cluster (same page).
 */
export const RA3_UPGRADE_TARGETS: Readonly<Record<string, readonly string[]>> = {
  'dc2.large': ['ra3.large', 'ra3.xlplus', 'ra3.4xlarge'],
  'dc2.8xlarge': ['ra3.4xlarge', 'ra3.16xlarge'],
};
