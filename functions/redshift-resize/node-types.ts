/**
 * Node count limits per Redshift node type, from the Amazon Redshift Management Guide ("Node type details")
 * and the ResizeCluster API reference (elastic resize is limited to dc2.* and ra3.* node types).
 * `maxNodes` is the most nodes a cluster of that type can be resized to (it can be larger than the most a
 * new cluster may be created with). Re-check this table when AWS adds node types: an unknown type is
 * reported by the Guard step, never guessed.
 */
interface NodeTypeLimits {
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Whether ResizeCluster accepts an elastic resize for this node type. */
  readonly elasticResize: boolean;
}

export const NODE_TYPE_LIMITS: Readonly<Record<string, NodeTypeLimits>> = {
  'dc2.large': { minNodes: 1, maxNodes: 32, elasticResize: true },
  'dc2.8xlarge': { minNodes: 2, maxNodes: 128, elasticResize: true },
  'ra3.large': { minNodes: 1, maxNodes: 16, elasticResize: true },
  'ra3.xlplus': { minNodes: 1, maxNodes: 32, elasticResize: true },
  'ra3.4xlarge': { minNodes: 2, maxNodes: 64, elasticResize: true },
  'ra3.16xlarge': { minNodes: 2, maxNodes: 128, elasticResize: true },
  // Previous generation: still running in places, classic resize only.
  'ds2.xlarge': { minNodes: 1, maxNodes: 32, elasticResize: false },
  'ds2.8xlarge': { minNodes: 2, maxNodes: 128, elasticResize: false },
  'dc1.large': { minNodes: 1, maxNodes: 32, elasticResize: false },
  'dc1.8xlarge': { minNodes: 2, maxNodes: 128, elasticResize: false },
};

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
