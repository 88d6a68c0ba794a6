import {
  paginateDescribeEvents,
  type Cluster,
  type RedshiftClient,
} from '@aws-sdk/client-redshift';
import { classifyStatus } from './cluster-status';
import type { DiskUsage } from './disk-usage';
import type { GuardConfig } from './env';
import { snapshotIdentifierFor } from './identifiers';
import {
  CONCURRENCY_SCALING_NODE_TYPES,
  nodeTypeLimits,
  NODE_TYPE_LIMITS,
  parseElasticResizeOptions,
} from './node-types';
import { planNodeTypeChange } from './ra3-change';
import { describeCluster, describeLastResize } from './redshift-reads';
import { chooseTarget, describeResizeOptions } from './sizing';

type GuardReason =
  | 'RESIZE'
  | 'CLUSTER_BUSY'
  | 'CLUSTER_NOT_AVAILABLE'
  | 'RESIZE_IN_PROGRESS'
  | 'COOLDOWN'
  | 'DAILY_LIMIT'
  | 'UNKNOWN_NODE_TYPE'
  | 'ELASTIC_RESIZE_UNSUPPORTED'
  | 'AT_MAXIMUM'
  | 'CONCURRENCY_SCALING_CAP'
  | 'DISK_TRIGGER_ON_RA3'
  | 'NODE_TYPE_CHANGE_REFUSED';

/**
 * The guard's decision. The Guard step's output (GuardResult, kept by the state machine at $.guard) adds the
 * disk usage and the time of the decision. Every field is always present (null where it does not apply), so
 * the definition's JSONPaths never point at a missing value.
 */
export interface GuardDecision {
  readonly decision: 'RESIZE' | 'SKIP';
  readonly reason: GuardReason;
  readonly message: string;
  readonly clusterId: string;
  readonly clusterStatus: string | null;
  readonly nodeType: string | null;
  /** The node type after the resize: nodeType, or the RA3 type of a DC2 -> RA3 change (RA3_NODE_TYPE). */
  readonly targetNodeType: string | null;
  readonly currentNodeCount: number | null;
  readonly targetNodeCount: number | null;
  readonly resizeType: 'elastic' | 'classic';
  readonly classic: boolean;
  readonly snapshotIdentifier: string;
  readonly lastResizeActivityAt: string | null;
  /** DRY_RUN: the workflow notifies what it would do and changes nothing (no DMS or Redshift write). */
  readonly dryRun: boolean;
  /** Redshift's EstimatedDiskUtilizationPercent at the target (null: sized by RESIZE_FACTOR, or a skip). */
  readonly estimatedDiskPercent: number | null;
}

export interface GuardResult extends GuardDecision, DiskUsage {
  /** When the guard decided; the replication pause is measured from it (the stop request follows within seconds). */
  readonly evaluatedAt: string;
}

/**
 * Redshift cluster events that mark resize activity (DescribeEventCategories, source type "cluster";
 * https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html).
 */
export const RESIZE_EVENT_IDS = {
  started: 'REDSHIFT-EVENT-2006',
  completed: 'REDSHIFT-EVENT-3002',
} as const;

interface GuardClients {
  readonly redshift: RedshiftClient;
}

interface GuardContext {
  readonly executionName: string;
  readonly now: Date;
}

/**
 * Decides whether this execution may resize, and to what. Reads only (DescribeClusters, DescribeResize,
 * DescribeEvents); the truth about cooldown and in-flight resizes comes from Redshift, not from local state.
 */
export async function evaluateGuard(
  clients: GuardClients,
  config: GuardConfig,
  ctx: GuardContext,
): Promise<GuardDecision> {
  const cluster = await describeCluster(clients.redshift, config.clusterId);
  const classic = config.resizeType === 'classic';
  const base = {
    clusterId: config.clusterId,
    clusterStatus: cluster.ClusterStatus ?? null,
    nodeType: cluster.NodeType ?? null,
    targetNodeType: cluster.NodeType ?? null,
    currentNodeCount: cluster.NumberOfNodes ?? null,
    targetNodeCount: cluster.NumberOfNodes ?? null,
    resizeType: config.resizeType,
    classic,
    snapshotIdentifier: snapshotIdentifierFor(ctx.executionName),
    lastResizeActivityAt: null,
    dryRun: config.dryRun,
    estimatedDiskPercent: null,
  } satisfies Omit<GuardDecision, 'decision' | 'reason' | 'message'>;
  const skip = (
    reason: GuardReason,
    message: string,
    extra: Partial<GuardDecision> = {},
  ): GuardDecision => ({
    ...base,
    ...extra,
    decision: 'SKIP',
    reason,
    message,
  });

  const status = cluster.ClusterStatus ?? 'in an unknown state';
  switch (classifyStatus(cluster.ClusterStatus)) {
    case 'resizing':
      return skip('RESIZE_IN_PROGRESS', `cluster ${config.clusterId} is ${status}`);
    case 'busy':
      return skip('CLUSTER_BUSY', `cluster ${config.clusterId} is ${status}; try again later`);
    case 'blocked':
      return skip(
        'CLUSTER_NOT_AVAILABLE',
        `cluster ${config.clusterId} is ${status}: it needs a person before it can be resized`,
      );
    case 'ready':
      break;
  }
  const nodeType = cluster.NodeType;
  const current = cluster.NumberOfNodes;
  const limits = nodeType === undefined ? undefined : nodeTypeLimits(nodeType);
  if (nodeType === undefined || current === undefined || limits === undefined) {
    return skip(
      'UNKNOWN_NODE_TYPE',
      `node type ${nodeType ?? '(none reported)'} of cluster ${config.clusterId} is not in the node limit table ` +
        `(${Object.keys(NODE_TYPE_LIMITS).join(', ')}); resize it by hand or extend functions/redshift-resize/node-types.ts`,
    );
  }

  if (config.trigger === 'disk' && nodeType.startsWith('ra3.')) {
    return skip(
      'DISK_TRIGGER_ON_RA3',
      `cluster ${config.clusterId} is ${nodeType}: on RA3, PercentageDiskSpaceUsed is a share of the ` +
        'managed storage quota, so the disk alarm is not a sign that nodes are needed, and it is refused ' +
        'as a trigger. Set redshift_trigger = "alarm" with redshift_trigger_alarm_name (e.g. a CPU or ' +
        'queue-wait alarm), or "none"; resize by hand if the managed storage quota is near.',
    );
  }
  const lastResize = await describeLastResize(clients.redshift, config.clusterId);
  if (
    lastResize !== undefined &&
    (lastResize.Status === 'IN_PROGRESS' || lastResize.Status === 'CANCELLING')
  ) {
    return skip(
      'RESIZE_IN_PROGRESS',
      `the last resize of ${config.clusterId} is ${lastResize.Status}`,
    );
  }
  if (lastResize !== undefined) {
    const activity = await resizeActivity(
      clients.redshift,
      config.clusterId,
      Math.max(config.cooldownMinutes, DAY_MINUTES),
      ctx.now,
    );
    const dayAgo = ctx.now.getTime() - DAY_MINUTES * 60_000;
    const startsToday = activity.starts.filter((at) => at.getTime() >= dayAgo).length;
    if (startsToday >= config.maxResizesPerDay) {
      return skip(
        'DAILY_LIMIT',
        `cluster ${config.clusterId} started ${startsToday} resizes in the last 24 h, the most MAX_RESIZES_PER_DAY (${config.maxResizesPerDay}) allows`,
      );
    }
    const cooldownFrom = ctx.now.getTime() - config.cooldownMinutes * 60_000;
    const latest = activity.latest;
    if (config.cooldownMinutes > 0 && latest !== undefined && latest.getTime() >= cooldownFrom) {
      return skip(
        'COOLDOWN',
        `cluster ${config.clusterId} had resize activity at ${latest.toISOString()}, within the ${config.cooldownMinutes}-minute cooldown`,
        { lastResizeActivityAt: latest.toISOString() },
      );
    }
  }

  if (config.ra3NodeType !== null && nodeType.startsWith('dc2.')) {
    const change = await planNodeTypeChange(
      clients.redshift,
      { ...config, ra3NodeType: config.ra3NodeType },
      { nodeType, nodes: current },
    );
    if (!change.ok) return skip('NODE_TYPE_CHANGE_REFUSED', change.message);
    const { targetNodeCount, estimatedDiskPercent } = change.sized;
    return {
      ...base,
      decision: 'RESIZE',
      reason: 'RESIZE',
      // Always elastic: the option is the elastic resize with NodeType, whatever RESIZE_TYPE says.
      resizeType: 'elastic',
      classic: false,
      message: `${config.dryRun ? 'dry run, nothing changed: would start the ' : ''}elastic resize of ${config.clusterId} from ${current} ${nodeType} to ${targetNodeCount} ${change.nodeType} nodes (node type change, RA3_NODE_TYPE; Redshift estimates ${estimatedDiskPercent} % disk used)`,
      targetNodeType: change.nodeType,
      targetNodeCount,
      estimatedDiskPercent,
    };
  }
  if (!classic && (!limits.elasticResize || current < 2)) {
    return skip(
      'ELASTIC_RESIZE_UNSUPPORTED',
      `elastic resize is not available for ${current}-node ${nodeType} clusters; set RESIZE_TYPE=classic to allow a classic resize`,
    );
  }
  const scalingCap = CONCURRENCY_SCALING_NODE_TYPES.has(nodeType)
    ? config.concurrencyScalingMaxNodes
    : Number.POSITIVE_INFINITY;
  if (current >= scalingCap) {
    return skip(
      'CONCURRENCY_SCALING_CAP',
      `cluster ${config.clusterId} has ${current} ${nodeType} nodes: more than CONCURRENCY_SCALING_MAX_NODES (${scalingCap}) would make it ineligible for concurrency scaling`,
    );
  }
  const typeMax = Math.min(classic ? limits.classicMaxNodes : limits.maxNodes, scalingCap);
  const bounded = { ...limits, typeMax };
  const byFactor = targetNodeCount(cluster, current, bounded, config, config.resizeFactor);
  if (byFactor <= current) {
    return skip(
      'AT_MAXIMUM',
      `cluster ${config.clusterId} cannot grow beyond ${current} ${nodeType} nodes ` +
        `(MAX_NODE_COUNT ${config.maxNodeCount}, ${classic ? 'classic' : 'elastic'} resize limit of ${nodeType} ${typeMax}${classic ? '' : `, at most ${limits.elasticMaxFactor}x per elastic resize, elastic resize options`})`,
    );
  }
  // From the storage needed: any count up to the limits (not RESIZE_FACTOR), as Redshift estimates it.
  const sized = chooseTarget(
    await describeResizeOptions(clients.redshift, config.clusterId, nodeType, current),
    {
      nodeType,
      current,
      upper: targetNodeCount(cluster, current, bounded, config, Number.POSITIVE_INFINITY),
      reachable: classic
        ? undefined
        : parseElasticResizeOptions(cluster.ElasticResizeNumberOfNodeOptions),
      wantedPercent: config.targetDiskPercent,
    },
  );
  const target = sized?.targetNodeCount ?? byFactor;
  const sizing =
    sized === undefined
      ? `Redshift estimated no option, so RESIZE_FACTOR ${config.resizeFactor} applies`
      : `Redshift estimates ${sized.estimatedDiskPercent} % disk used, ${sized.meetsWanted ? 'under' : 'still not under'} the wanted ${config.targetDiskPercent} %${sized.meetsWanted ? '' : ' (the most nodes allowed)'}`;
  return {
    ...base,
    decision: 'RESIZE',
    reason: 'RESIZE',
    message: `${config.dryRun ? 'dry run, nothing changed: would start the ' : ''}${config.resizeType} resize of ${config.clusterId} from ${current} to ${target} ${nodeType} nodes (${sizing})`,
    targetNodeCount: target,
    estimatedDiskPercent: sized?.estimatedDiskPercent ?? null,
  };
}

/**
 * min(current x factor, MAX_NODE_COUNT, the node type's limit for this resize type). An elastic resize grows
 * the node count at most elasticMaxFactor times and reaches only the counts Redshift lists in
 * ElasticResizeNumberOfNodeOptions, when it lists them.
 */
function targetNodeCount(
  cluster: Cluster,
  current: number,
  limits: { readonly typeMax: number; readonly elasticMaxFactor: number },
  config: GuardConfig,
  factor: number,
): number {
  let cap = Math.min(Math.ceil(current * factor - 1e-9), config.maxNodeCount, limits.typeMax);
  if (config.resizeType === 'classic') return cap;
  cap = Math.min(cap, current * limits.elasticMaxFactor);
  const options = parseElasticResizeOptions(cluster.ElasticResizeNumberOfNodeOptions);
  if (options === undefined) return cap;
  const reachable = options.filter((n) => n > current && n <= cap);
  return reachable.length > 0 ? Math.max(...reachable) : current;
}

const DAY_MINUTES = 24 * 60;

/**
 * Resize starts and completions of the cluster in the last `minutes`, from DescribeEvents: the latest of
 * either (the cooldown), and every start (the resizes-per-day limit). A resize that started inside the window
 * also ended inside it, or is still running, which DescribeResize reports.
 */
async function resizeActivity(
  redshift: RedshiftClient,
  clusterId: string,
  minutes: number,
  now: Date,
): Promise<{ latest: Date | undefined; starts: Date[] }> {
  let latest: Date | undefined;
  const starts: Date[] = [];
  const pages = paginateDescribeEvents(
    { client: redshift, pageSize: 100 },
    {
      SourceIdentifier: clusterId,
      SourceType: 'cluster',
      StartTime: new Date(now.getTime() - minutes * 60_000),
      EndTime: now,
    },
  );
  for await (const page of pages) {
    for (const event of page.Events ?? []) {
      if (event.Date === undefined) continue;
      const at = new Date(event.Date);
      if (event.EventId === RESIZE_EVENT_IDS.started) starts.push(at);
      else if (event.EventId !== RESIZE_EVENT_IDS.completed) continue;
      if (latest === undefined || at > latest) latest = at;
    }
  }
  return { latest, starts };
}
