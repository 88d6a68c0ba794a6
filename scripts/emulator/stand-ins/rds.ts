import { queryCall } from '../aws/call';
import type { AwsRequest, Reply } from '../aws/wire';
import { findAll, parseXml, serializeXml, textOf, type XmlElement } from '../aws/xml';
import type { FixUp, StandInContext, StandInModule } from './types';

const VERSION = '2014-10-31';

/**
 * "When you delete a DB cluster, all automated backups for that DB cluster are deleted" (API_DeleteDBCluster);
 * moto keeps the automated snapshot it took at creation, so it would outlive the stack.
 */
async function deleteAutomatedSnapshots(ctx: StandInContext, cluster: string): Promise<void> {
  const root = await queryCall(ctx.moto, 'rds', VERSION, 'DescribeDBClusterSnapshots', {
    DBClusterIdentifier: cluster,
    SnapshotType: 'automated',
  });
  for (const snapshot of findAll(root, 'DBClusterSnapshotIdentifier')) {
    await queryCall(ctx.moto, 'rds', VERSION, 'DeleteDBClusterSnapshot', {
      DBClusterSnapshotIdentifier: snapshot.text.trim(),
    });
  }
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/**
 * One DBCluster as AWS describes it: ScalingConfigurationInfo only for Aurora Serverless v1 (EngineMode
 * serverless), HttpEndpointEnabled as last requested.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html
 */
export function fixDbCluster(
  cluster: XmlElement,
  httpEndpoint: ReadonlyMap<string, boolean>,
): void {
  if (textOf(cluster, 'EngineMode') !== 'serverless') {
    const at = cluster.children.findIndex((c) => c.name === 'ScalingConfigurationInfo');
    if (at >= 0) cluster.children.splice(at, 1);
  }
  const id = textOf(cluster, 'DBClusterIdentifier') ?? '';
  const enabled = httpEndpoint.get(id);
  if (enabled === undefined) return;
  const field = child(cluster, 'HttpEndpointEnabled');
  if (field) field.text = String(enabled);
  else
    cluster.children.push({
      name: 'HttpEndpointEnabled',
      attributes: '',
      children: [],
      text: String(enabled),
    });
}

/**
 * RDS clusters: moto keeps the Data API (EnableHttpEndpoint) only for Aurora Serverless v1 engine versions and
 * reports false for the Aurora MySQL 3 Serverless v2 cluster capacity-reservations creates (AWS supports the
 * Data API there: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html), and it reports
 * an empty ScalingConfigurationInfo for every cluster: both would show in every re-plan. After
 * DeleteDBCluster it also deletes the cluster's automated snapshots, which moto keeps (deleteAutomatedSnapshots).
 */
export function rdsStandIns(): StandInModule {
  const httpEndpoint = new Map<string, boolean>();
  const observe = (req: AwsRequest) => {
    const id = String(req.params.DBClusterIdentifier ?? '');
    const value = req.params.EnableHttpEndpoint;
    if (id && (value === 'true' || value === 'false')) httpEndpoint.set(id, value === 'true');
  };
  const fix = async (req: AwsRequest, reply: Reply, ctx: StandInContext): Promise<Reply> => {
    if (reply.status !== 200) return reply;
    if (req.operation === 'DeleteDBCluster') {
      const id = String(req.params.DBClusterIdentifier ?? '');
      httpEndpoint.delete(id);
      if (req.params.DeleteAutomatedBackups !== 'false') await deleteAutomatedSnapshots(ctx, id);
      return reply;
    }
    const root = parseXml(reply.body);
    for (const cluster of findAll(root, 'DBCluster')) fixDbCluster(cluster, httpEndpoint);
    return { ...reply, body: serializeXml(root) };
  };
  const docs = (op: string) =>
    `https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_${op}.html`;
  const fixUps: FixUp[] = [
    { service: 'rds', operation: 'CreateDBCluster', docs: docs('CreateDBCluster'), observe, fix },
    { service: 'rds', operation: 'ModifyDBCluster', docs: docs('ModifyDBCluster'), observe, fix },
    { service: 'rds', operation: 'DescribeDBClusters', docs: docs('DescribeDBClusters'), fix },
    { service: 'rds', operation: 'DeleteDBCluster', docs: docs('DeleteDBCluster'), fix },
  ];
  return { standIns: [], fixUps };
}
