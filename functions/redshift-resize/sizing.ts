import {
  paginateDescribeNodeConfigurationOptions,
  type NodeConfigurationOption,
  type RedshiftClient,
} from '@aws-sdk/client-redshift';

/**
 * Sizing from the storage needed. DescribeNodeConfigurationOptions with ActionType "resize-cluster" lists
 * "configuration combinations for elastic resize based on an existing cluster", each with its
 * EstimatedDiskUtilizationPercent; Filters take Name NodeType | NumberOfNodes |
 * EstimatedDiskUtilizationPercent | Mode and Operator eq | lt | gt | le | ge | in | between; MaxRecords is
 * 100-500 (default 500) and a Marker pages the rest
 * (https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeNodeConfigurationOptions.html,
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_NodeConfigurationOptionsFilter.html).
 * The elastic resize guide points to the same call for the node counts a cluster can reach
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-operations.html#elastic-resize).
 */
const PAGE_SIZE = 100;

/** Resize options of `nodeType` with more than `current` nodes, every page. */
export async function describeResizeOptions(
  redshift: RedshiftClient,
  clusterId: string,
  nodeType: string,
  current: number,
): Promise<NodeConfigurationOption[]> {
  const options: NodeConfigurationOption[] = [];
  const pages = paginateDescribeNodeConfigurationOptions(
    { client: redshift, pageSize: PAGE_SIZE },
    {
      ActionType: 'resize-cluster',
      ClusterIdentifier: clusterId,
      Filters: [
        { Name: 'NodeType', Operator: 'eq', Values: [nodeType] },
        { Name: 'NumberOfNodes', Operator: 'gt', Values: [String(current)] },
      ],
    },
  );
  for await (const page of pages) options.push(...(page.NodeConfigurationOptionList ?? []));
  return options;
}

export interface SizingBounds {
  readonly nodeType: string;
  readonly current: number;
  /** The most nodes this resize may reach (MAX_NODE_COUNT, the node type's limit, the scaling cap). */
  readonly upper: number;
  /** Counts an elastic resize reaches (ElasticResizeNumberOfNodeOptions), when Redshift reports them. */
  readonly reachable?: readonly number[];
  /** The wanted disk use after the resize, in percent. */
  readonly wantedPercent: number;
}

export interface SizedTarget {
  readonly targetNodeCount: number;
  readonly estimatedDiskPercent: number;
  /** Whether the estimate is under the wanted utilization (false: the largest allowed option, still above). */
  readonly meetsWanted: boolean;
}

/**
 * The smallest option within the bounds whose estimate is under the wanted utilization; when none is, the
 * largest option within the bounds. Undefined when Redshift estimates no option within them (the caller
 * falls back to RESIZE_FACTOR). Options are checked here too: filters narrow the answer, the bounds decide.
 */
export function chooseTarget(
  options: readonly NodeConfigurationOption[],
  bounds: SizingBounds,
): SizedTarget | undefined {
  const candidates = options
    .filter(
      (o): o is NodeConfigurationOption & { NumberOfNodes: number } =>
        o.NodeType === bounds.nodeType &&
        Number.isSafeInteger(o.NumberOfNodes) &&
        (o.NumberOfNodes as number) > bounds.current &&
        (o.NumberOfNodes as number) <= bounds.upper &&
        (bounds.reachable === undefined || bounds.reachable.includes(o.NumberOfNodes as number)) &&
        Number.isFinite(o.EstimatedDiskUtilizationPercent),
    )
    .sort((a, b) => a.NumberOfNodes - b.NumberOfNodes);
  const pick =
    candidates.find((o) => (o.EstimatedDiskUtilizationPercent as number) < bounds.wantedPercent) ??
    candidates.at(-1);
  if (pick === undefined) return undefined;
  const estimate = pick.EstimatedDiskUtilizationPercent as number;
  return {
    targetNodeCount: pick.NumberOfNodes,
    estimatedDiskPercent: estimate,
    meetsWanted: estimate < bounds.wantedPercent,
  };
}
