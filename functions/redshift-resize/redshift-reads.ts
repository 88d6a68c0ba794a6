import {
  DescribeClustersCommand,
  DescribeResizeCommand,
  type Cluster,
  type RedshiftClient,
  type ResizeProgressMessage,
} from '@aws-sdk/client-redshift';
import { ClusterNotFoundError } from './errors';

/** The cluster as DescribeClusters reports it; ClusterNotFoundError when it does not exist. */
export async function describeCluster(
  redshift: RedshiftClient,
  clusterId: string,
): Promise<Cluster> {
  try {
    const cluster = (
      await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: clusterId }))
    ).Clusters?.[0];
    if (cluster === undefined) throw new ClusterNotFoundError(`cluster ${clusterId} not found`);
    return cluster;
  } catch (error) {
    if (error instanceof Error && error.name === 'ClusterNotFoundFault') {
      throw new ClusterNotFoundError(`cluster ${clusterId} not found`, { cause: error });
    }
    throw error;
  }
}

/** The last resize Redshift knows of, or undefined when the cluster was never resized (ResizeNotFound). */
export async function describeLastResize(
  redshift: RedshiftClient,
  clusterId: string,
): Promise<ResizeProgressMessage | undefined> {
  try {
    return await redshift.send(new DescribeResizeCommand({ ClusterIdentifier: clusterId }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResizeNotFoundFault') return undefined;
    throw error;
  }
}
