import { ResizeClusterCommand, type RedshiftClient } from '@aws-sdk/client-redshift';
import { logger } from '../shared/logger';
import { canResize } from './cluster-status';
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

export interface StartResizeResult {
  readonly outcome: 'STARTED' | 'ALREADY_STARTED' | 'ALREADY_AT_TARGET';
  readonly done: false;
}

export interface ResizeStatusResult {
  readonly done: boolean;
  readonly clusterStatus: string | null;
  readonly numberOfNodes: number | null;
  readonly resizeStatus: string | null;
}

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
  if (cluster.NumberOfNodes === req.targetNodeCount) {
    logger.info('cluster already has the target node count', {
      clusterId: config.clusterId,
      target: req.targetNodeCount,
    });
    return { outcome: 'ALREADY_AT_TARGET', done: false };
  }
  const last = await describeLastResize(clients.redshift, config.clusterId);
  if (last?.Status === 'IN_PROGRESS' && last.TargetNumberOfNodes === req.targetNodeCount) {
    logger.info('resize to the target is already in progress', {
      clusterId: config.clusterId,
      target: req.targetNodeCount,
    });
    return { outcome: 'ALREADY_STARTED', done: false };
  }
  if (!canResize(cluster.ClusterStatus)) {
    throw new ClusterNotReadyError(
      `cluster ${config.clusterId} is ${cluster.ClusterStatus ?? 'in an unknown state'}; it cannot be resized now`,
    );
  }
  await clients.redshift.send(
    new ResizeClusterCommand({
      ClusterIdentifier: config.clusterId,
      NodeType: req.nodeType,
      NumberOfNodes: req.targetNodeCount,
      Classic: req.classic,
      // A classic resize out of a single-node cluster must say the cluster becomes multi-node.
      ...(cluster.NumberOfNodes === 1 && req.targetNodeCount > 1
        ? { ClusterType: 'multi-node' }
        : {}),
    }),
  );
  logger.info('resize started', {
    clusterId: config.clusterId,
    target: req.targetNodeCount,
    classic: req.classic,
  });
  return { outcome: 'STARTED', done: false };
}

/**
 * Done once the cluster is available with the target node count and DescribeResize reports SUCCEEDED for a
 * resize to that count. A FAILED/ABORTED resize to the target is an error (the Catch resumes DMS). A resize
 * status for another node count is an earlier resize: this one has not registered yet, so keep polling.
 */
export async function resizeStatus(
  clients: ResizeClients,
  config: ResizeConfig,
  targetNodeCount: number,
): Promise<ResizeStatusResult> {
  const cluster = await describeCluster(clients.redshift, config.clusterId);
  const last = await describeLastResize(clients.redshift, config.clusterId);
  const ours = last !== undefined && last.TargetNumberOfNodes === targetNodeCount;
  if (ours && (last.Status === 'FAILED' || last.Status === 'ABORTED')) {
    throw new ResizeFailedError(
      `resize of ${config.clusterId} to ${targetNodeCount} nodes ended ${last.Status}${last.Message ? `: ${last.Message}` : ''}`,
    );
  }
  const done =
    ours &&
    last.Status === 'SUCCEEDED' &&
    cluster.ClusterStatus === 'available' &&
    cluster.NumberOfNodes === targetNodeCount;
  return {
    done,
    clusterStatus: cluster.ClusterStatus ?? null,
    numberOfNodes: cluster.NumberOfNodes ?? null,
    resizeStatus: last?.Status ?? null,
  };
}
