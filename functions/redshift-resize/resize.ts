import {
  ResizeClusterCommand,
  type RedshiftClient,
  type ResizeProgressMessage,
} from '@aws-sdk/client-redshift';
import { logger } from '../shared/logger';
import { canResize, isWritableStatus } from './cluster-status';
import type { ResizeConfig } from './env';
import { ClusterNotReadyError, ResizeFailedError } from './errors';
import { describeCluster, describeLastResize } from './redshift-reads';

interface ResizeClients {
  readonly redshift: RedshiftClient;
}

interface StartResizeRequest {
  readonly targetNodeCount: number;
  readonly classic: boolean;
  readonly nodeType: string;
}

/**
 * The identity of a DescribeResize record: a finished record never changes (its ElapsedTimeInSeconds is the
 * total time), so the same identity later means the same, earlier, resize.
 */
export interface ResizeRecord {
  readonly status: string | null;
  readonly targetNumberOfNodes: number | null;
  readonly targetNodeType: string | null;
  readonly resizeType: string | null;
  readonly elapsedTimeInSeconds: number | null;
}

export interface StartResizeResult {
  readonly outcome: 'STARTED' | 'ALREADY_STARTED' | 'ALREADY_AT_TARGET';
  readonly done: false;
  /** The record DescribeResize showed before this run's resize (null: none, or it is this run's own). */
  readonly baseline: ResizeRecord | null;
}

export interface ResizeStatusResult {
  readonly done: boolean;
  /** DMS may run again while the resize goes on: it is done, or it keeps the cluster writable. */
  readonly writable: boolean;
  /** The cluster's status takes writes ("available..."): after a phase timeout, DMS may be resumed. */
  readonly clusterWritable: boolean;
  readonly clusterStatus: string | null;
  readonly numberOfNodes: number | null;
  readonly resizeStatus: string | null;
}

const recordOf = (r: ResizeProgressMessage | undefined): ResizeRecord | null =>
  r === undefined
    ? null
    : {
        status: r.Status ?? null,
        targetNumberOfNodes: r.TargetNumberOfNodes ?? null,
        targetNodeType: r.TargetNodeType ?? null,
        resizeType: r.ResizeType ?? null,
        elapsedTimeInSeconds: r.ElapsedTimeInSeconds ?? null,
      };

const sameRecord = (a: ResizeRecord | null, b: ResizeRecord | null) =>
  a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);

/**
 * Starts the resize, unless an earlier attempt of this step already did (the cluster is resizing to the
 * target, or has reached it): a retried invocation must not fail on InvalidClusterState nor resize twice.
 */
export async function startResize(
  clients: ResizeClients,
  config: ResizeConfig,
  req: StartResizeRequest,
): Promise<StartResizeResult> {
  const cluster = await describeCluster(clients.redshift, config.clusterId);
  const last = await describeLastResize(clients.redshift, config.clusterId);
  if (cluster.NumberOfNodes === req.targetNodeCount && cluster.NodeType === req.nodeType) {
    logger.info('cluster already has the target size', { clusterId: config.clusterId });
    return { outcome: 'ALREADY_AT_TARGET', done: false, baseline: recordOf(last) };
  }
  if (last?.Status === 'IN_PROGRESS' && last.TargetNumberOfNodes === req.targetNodeCount) {
    logger.info('resize to the target is already in progress', {
      clusterId: config.clusterId,
      target: req.targetNodeCount,
    });
    return { outcome: 'ALREADY_STARTED', done: false, baseline: null };
  }
  if (!canResize(cluster.ClusterStatus)) {
    throw new ClusterNotReadyError(
      `cluster ${config.clusterId} is ${cluster.ClusterStatus ?? 'in an unknown state'}; it cannot be resized now`,
    );
  }
  try {
    await sendResize(clients, config, req, cluster.NumberOfNodes);
  } catch (error) {
    // The SDK retried a ResizeCluster whose reply was lost and Redshift, already resizing, answered
    // InvalidClusterStateFault (https://docs.aws.amazon.com/redshift/latest/APIReference/API_ResizeCluster.html):
    // DescribeResize then shows our resize IN_PROGRESS to the target
    // (https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeResize.html).
    if (!(error instanceof Error && error.name === 'InvalidClusterStateFault')) throw error;
    const now = await describeLastResize(clients.redshift, config.clusterId);
    if (now?.Status !== 'IN_PROGRESS' || now.TargetNumberOfNodes !== req.targetNodeCount)
      throw error;
    logger.info('our resize is in progress (the reply to ResizeCluster was lost)', {
      clusterId: config.clusterId,
      target: req.targetNodeCount,
    });
    return { outcome: 'ALREADY_STARTED', done: false, baseline: null };
  }
  logger.info('resize started', {
    clusterId: config.clusterId,
    target: req.targetNodeCount,
    classic: req.classic,
  });
  return { outcome: 'STARTED', done: false, baseline: recordOf(last) };
}

async function sendResize(
  clients: ResizeClients,
  config: ResizeConfig,
  req: StartResizeRequest,
  nodes: number | undefined,
): Promise<void> {
  await clients.redshift.send(
    new ResizeClusterCommand({
      ClusterIdentifier: config.clusterId,
      NodeType: req.nodeType,
      NumberOfNodes: req.targetNodeCount,
      Classic: req.classic,
      // A classic resize out of a single-node cluster must say the cluster becomes multi-node.
      ...(nodes === 1 && req.targetNodeCount > 1 ? { ClusterType: 'multi-node' } : {}),
    }),
  );
}

interface StatusRequest {
  readonly targetNodeCount: number;
  readonly nodeType?: string;
  readonly baseline?: ResizeRecord | null;
}

/**
 * A classic resize to RA3 restarts the cluster for a few minutes, then keeps it available for reads and
 * writes while data migrates; any other classic resize keeps it read-only to the end
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-operations.html#classic-resize-faster).
 */
const isWritableDuringResize = (last: ResizeProgressMessage) =>
  last.Status === 'IN_PROGRESS' &&
  last.ResizeType === 'ClassicResize' &&
  (last.TargetNodeType ?? '').startsWith('ra3.');

/**
 * Done once the cluster is available at the target and DescribeResize reports SUCCEEDED. A record equal to
 * the baseline is an earlier resize, never this run's result. A FAILED or ABORTED record of this resize is
 * final only once the cluster is writable again: while it still resizes, Redshift retries ("Operation will be
 * retried within a few minutes", REDSHIFT-EVENT-3500,
 * https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html), so keep polling.
 */
export async function resizeStatus(
  clients: ResizeClients,
  config: ResizeConfig,
  req: StatusRequest,
): Promise<ResizeStatusResult> {
  const cluster = await describeCluster(clients.redshift, config.clusterId);
  const last = await describeLastResize(clients.redshift, config.clusterId);
  const stale = sameRecord(recordOf(last), req.baseline ?? null);
  const ours = last !== undefined && !stale && last.TargetNumberOfNodes === req.targetNodeCount;
  const clusterWritable = isWritableStatus(cluster.ClusterStatus);
  if (ours && (last.Status === 'FAILED' || last.Status === 'ABORTED') && clusterWritable) {
    throw new ResizeFailedError(
      `resize of ${config.clusterId} to ${req.targetNodeCount} nodes ended ${last.Status}${last.Message ? `: ${last.Message}` : ''}`,
    );
  }
  const done =
    last?.Status === 'SUCCEEDED' &&
    last.TargetNumberOfNodes === req.targetNodeCount &&
    cluster.ClusterStatus === 'available' &&
    cluster.NumberOfNodes === req.targetNodeCount &&
    (req.nodeType === undefined || cluster.NodeType === req.nodeType);
  return {
    done,
    writable: done || (ours && isWritableDuringResize(last)),
    clusterWritable,
    clusterStatus: cluster.ClusterStatus ?? null,
    numberOfNodes: cluster.NumberOfNodes ?? null,
    resizeStatus: last?.Status ?? null,
  };
}
