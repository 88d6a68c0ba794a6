import { nodeTypeLimits } from '../../../functions/redshift-resize/node-types';
import { AwsCallError, queryCall } from '../aws/call';
import { pageNodeOptions } from './redshift-node-options';
import { queryError, queryReply, type AwsRequest, type Reply } from '../aws/wire';
import {
  find,
  findAll,
  parseXml,
  serializeXml,
  textOf,
  XmlList,
  type XmlElement,
} from '../aws/xml';
import type { StandIn, StandInContext, StandInModule } from './types';

const NS = 'http://redshift.amazonaws.com/doc/2012-12-01/';
const VERSION = '2012-12-01';
const docs = (op: string) =>
  `https://docs.aws.amazon.com/redshift/latest/APIReference/API_${op}.html`;

/** The last resize of a cluster, as DescribeResize reports it. */
interface Resize {
  targetNodeType: string;
  targetNumberOfNodes: number;
  targetClusterType: string;
  resizeType: 'ClassicResize' | 'ElasticResize';
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  startedAt: Date;
  message?: string;
}

interface ClusterEvent {
  sourceIdentifier: string;
  eventId: string;
  message: string;
  date: Date;
}

/** Event ids of a resize: https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html */
export const RESIZE_EVENTS = { started: 'REDSHIFT-EVENT-2006', completed: 'REDSHIFT-EVENT-3002' };

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

async function describeCluster(ctx: StandInContext, id: string): Promise<XmlElement | undefined> {
  try {
    const root = await queryCall(ctx.moto, 'redshift', VERSION, 'DescribeClusters', {
      ClusterIdentifier: id,
    });
    return find(root, 'Cluster');
  } catch (error) {
    if (error instanceof AwsCallError && error.code === 'ClusterNotFound') return undefined;
    throw error;
  }
}

/**
 * Redshift resize and events, which moto 5.2 does not implement. ResizeCluster starts a resize that ends
 * `resizeSeconds` later (default 0: at the next read), or when a test ends it with
 * `POST /_stand-ins/redshift/resizes/<cluster> {"status":"SUCCEEDED"|"FAILED"}`; `PUT
 * /_stand-ins/redshift/settings {"resizeSeconds":n, "diskUsedPercent":p}` sets the duration and the disk use
 * DescribeNodeConfigurationOptions estimates from (none: no estimate). A successful resize changes the node
 * count in moto (ModifyCluster); meanwhile DescribeClusters reports the cluster `resizing`. DescribeEvents
 * answers the resize events.
 */
export function redshiftStandIns(): StandInModule {
  const resizes = new Map<string, Resize>();
  const events: ClusterEvent[] = [];
  let resizeSeconds = 0;
  let diskUsedPercent: number | undefined;

  const finish = async (ctx: StandInContext, id: string, status: 'SUCCEEDED' | 'FAILED') => {
    const resize = resizes.get(id);
    if (!resize || resize.status !== 'IN_PROGRESS') return;
    if (status === 'SUCCEEDED') {
      await queryCall(ctx.moto, 'redshift', VERSION, 'ModifyCluster', {
        ClusterIdentifier: id,
        NodeType: resize.targetNodeType,
        NumberOfNodes: resize.targetNumberOfNodes,
        ClusterType: resize.targetClusterType,
      });
    } else {
      resize.message = 'The resize failed (ended by a test).';
    }
    resize.status = status;
    events.push({
      sourceIdentifier: id,
      eventId: RESIZE_EVENTS.completed,
      message: `Cluster ${id} resize ${status === 'SUCCEEDED' ? 'completed' : 'failed'}.`,
      date: ctx.now(),
    });
  };
  /** Ends resizes whose time is up, before anything reads them. */
  const settle = async (ctx: StandInContext) => {
    for (const [id, resize] of resizes) {
      const due = resize.startedAt.getTime() + resizeSeconds * 1000;
      if (resize.status === 'IN_PROGRESS' && ctx.now().getTime() >= due) {
        await finish(ctx, id, 'SUCCEEDED');
      }
    }
  };
  const notFound = (id: string) =>
    queryError(NS, 404, 'ClusterNotFound', `Cluster ${id} not found.`);

  const resizeCluster: StandIn = {
    service: 'redshift',
    operation: 'ResizeCluster',
    docs: docs('ResizeCluster'),
    async handle(req, ctx) {
      await settle(ctx);
      const p = req.params as Record<string, string | undefined>;
      const id = p.ClusterIdentifier ?? '';
      const cluster = await describeCluster(ctx, id);
      if (!cluster) return notFound(id);
      if (
        resizes.get(id)?.status === 'IN_PROGRESS' ||
        textOf(cluster, 'ClusterStatus') !== 'available'
      ) {
        return queryError(
          NS,
          400,
          'InvalidClusterState',
          `Cluster ${id} is not available for a resize.`,
        );
      }
      const nodeType = p.NodeType ?? textOf(cluster, 'NodeType') ?? '';
      const nodes = Number(p.NumberOfNodes ?? textOf(cluster, 'NumberOfNodes'));
      const classic = p.Classic === 'true';
      const limits = nodeTypeLimits(nodeType);
      if (!classic && limits && !limits.elasticResize) {
        return queryError(
          NS,
          400,
          'UnsupportedOperation',
          `Elastic resize is not supported for ${nodeType}.`,
        );
      }
      if (!Number.isInteger(nodes) || nodes < 1 || (limits && nodes > limits.maxNodes)) {
        return queryError(
          NS,
          400,
          'InvalidParameterValue',
          `NumberOfNodes ${p.NumberOfNodes} is not valid for ${nodeType}.`,
        );
      }
      resizes.set(id, {
        targetNodeType: nodeType,
        targetNumberOfNodes: nodes,
        targetClusterType: p.ClusterType ?? (nodes > 1 ? 'multi-node' : 'single-node'),
        resizeType: classic ? 'ClassicResize' : 'ElasticResize',
        status: 'IN_PROGRESS',
        startedAt: ctx.now(),
      });
      events.push({
        sourceIdentifier: id,
        eventId: RESIZE_EVENTS.started,
        message: `Cluster ${id} resize started.`,
        date: ctx.now(),
      });
      const status = find(cluster, 'ClusterStatus');
      if (status) status.text = 'resizing';
      return { ...queryReply(NS, 'ResizeCluster', {}), body: wrapCluster(cluster) };
    },
  };

  const describeResize: StandIn = {
    service: 'redshift',
    operation: 'DescribeResize',
    docs: docs('DescribeResize'),
    async handle(req, ctx) {
      await settle(ctx);
      const id = String(req.params.ClusterIdentifier ?? '');
      if (!(await describeCluster(ctx, id))) return notFound(id);
      const r = resizes.get(id);
      if (!r)
        return queryError(
          NS,
          404,
          'ResizeNotFound',
          `No resize has been requested for cluster ${id}.`,
        );
      return queryReply(NS, 'DescribeResize', {
        TargetNodeType: r.targetNodeType,
        TargetNumberOfNodes: r.targetNumberOfNodes,
        TargetClusterType: r.targetClusterType,
        Status: r.status,
        ResizeType: r.resizeType,
        ElapsedTimeInSeconds: Math.round((ctx.now().getTime() - r.startedAt.getTime()) / 1000),
        Message: r.message,
      });
    },
  };

  const describeEvents: StandIn = {
    service: 'redshift',
    operation: 'DescribeEvents',
    docs: docs('DescribeEvents'),
    async handle(req, ctx) {
      await settle(ctx);
      const p = req.params as Record<string, string | undefined>;
      const end = p.EndTime ? new Date(p.EndTime) : ctx.now();
      const minutes = p.Duration ? Number(p.Duration) : 60; // the documented default: the past hour
      const start = p.StartTime
        ? new Date(p.StartTime)
        : new Date(end.getTime() - minutes * 60_000);
      const size = Math.min(Math.max(Number(p.MaxRecords ?? 100), 20), 100);
      const matching = events.filter(
        (e) =>
          (!p.SourceIdentifier || e.sourceIdentifier === p.SourceIdentifier) &&
          (!p.SourceType || p.SourceType === 'cluster') &&
          e.date >= start &&
          e.date <= end,
      );
      const from = Number(p.Marker ?? 0);
      const page = matching.slice(from, from + size);
      return queryReply(NS, 'DescribeEvents', {
        Events: new XmlList(
          'Event',
          page.map((e) => ({
            SourceIdentifier: e.sourceIdentifier,
            SourceType: 'cluster',
            Message: e.message,
            EventCategories: new XmlList('EventCategory', ['management']),
            Severity: 'INFO',
            Date: e.date.toISOString(),
            EventId: e.eventId,
          })),
        ),
        Marker: from + size < matching.length ? String(from + size) : undefined,
      });
    },
  };

  const nodeOptions: StandIn = {
    service: 'redshift',
    operation: 'DescribeNodeConfigurationOptions',
    docs: docs('DescribeNodeConfigurationOptions'),
    async handle(req, ctx) {
      const p = req.params as Record<string, string | undefined>;
      const id = p.ClusterIdentifier;
      const cluster = id ? await describeCluster(ctx, id) : undefined;
      if (id && !cluster) return notFound(id);
      const nodeType = cluster ? (textOf(cluster, 'NodeType') ?? '') : '';
      const nodes = Number(cluster ? textOf(cluster, 'NumberOfNodes') : NaN);
      // moto knows no disk use: an estimate only once a test sets diskUsedPercent (spread over n nodes).
      const all = resizeOptions(nodeType, nodes).map((n) => ({
        NodeType: nodeType,
        NumberOfNodes: n,
        Mode: 'standard',
        ...(diskUsedPercent === undefined
          ? {}
          : {
              EstimatedDiskUtilizationPercent:
                Math.round((diskUsedPercent * nodes * 100) / n) / 100,
            }),
      }));
      const filters = (
        req.params.Filter as { NodeConfigurationOptionsFilter?: unknown[] } | undefined
      )?.NodeConfigurationOptionsFilter as
        | { Name?: string; Operator?: string; Value?: string[] | string }[]
        | undefined;
      const page = pageNodeOptions(
        {
          ActionType: p.ActionType,
          ...(p.MaxRecords === undefined ? {} : { MaxRecords: Number(p.MaxRecords) }),
          ...(p.Marker === undefined ? {} : { Marker: p.Marker }),
          Filters: (filters ?? []).map((f) => ({
            Name: f.Name,
            Operator: f.Operator,
            Values: f.Value === undefined ? [] : [f.Value].flat(),
          })),
        },
        all,
      );
      if ('invalid' in page) return queryError(NS, 400, 'InvalidParameterValue', page.invalid);
      return queryReply(NS, 'DescribeNodeConfigurationOptions', {
        NodeConfigurationOptionList: new XmlList('NodeConfigurationOption', page.options),
        Marker: page.marker,
      });
    },
  };

  return {
    standIns: [resizeCluster, describeResize, describeEvents, nodeOptions],
    fixUps: [
      {
        service: 'redshift',
        operation: 'DescribeClusters',
        docs: docs('DescribeClusters'),
        // Resizes whose time is up end before moto answers, so the answer shows the new node count.
        observe: (_req: AwsRequest, ctx: StandInContext) => settle(ctx),
        fix(_req: AwsRequest, reply: Reply) {
          if (reply.status !== 200) return reply;
          const root = parseXml(reply.body);
          for (const cluster of findAll(root, 'Cluster')) {
            const resizing =
              resizes.get(textOf(cluster, 'ClusterIdentifier') ?? '')?.status === 'IN_PROGRESS';
            const status = find(cluster, 'ClusterStatus');
            if (resizing && status) status.text = 'resizing';
          }
          return { ...reply, body: serializeXml(root) };
        },
      },
    ],
    async control(method, path, body, ctx) {
      const input = (body ?? {}) as Record<string, unknown>;
      if (path === '/_stand-ins/redshift/settings' && method === 'PUT') {
        resizeSeconds = Number(input.resizeSeconds ?? 0);
        diskUsedPercent =
          input.diskUsedPercent === undefined ? undefined : Number(input.diskUsedPercent);
        return json(200, { resizeSeconds, diskUsedPercent });
      }
      const m = /^\/_stand-ins\/redshift\/resizes\/([^/]+)$/.exec(path);
      if (!m || method !== 'POST') return undefined;
      const id = decodeURIComponent(m[1]!);
      if (resizes.get(id)?.status !== 'IN_PROGRESS')
        return json(404, { message: `no resize of ${id} in progress` });
      await finish(ctx, id, input.status === 'FAILED' ? 'FAILED' : 'SUCCEEDED');
      return json(200, resizes.get(id));
    },
  };
}

/** Elastic resize targets: half to double the nodes, within the node type's limits, not the current count. */
export function resizeOptions(nodeType: string, nodes: number): number[] {
  const limits = nodeTypeLimits(nodeType);
  if (!limits || !Number.isInteger(nodes)) return [];
  const out: number[] = [];
  for (
    let n = Math.max(limits.minNodes, Math.ceil(nodes / 2));
    n <= Math.min(limits.maxNodes, nodes * 2);
    n++
  ) {
    if (n !== nodes) out.push(n);
  }
  return out;
}

function wrapCluster(cluster: XmlElement): string {
  return (
    `<ResizeClusterResponse xmlns="${NS}"><ResizeClusterResult>${serializeXml(cluster)}</ResizeClusterResult>` +
    `<ResponseMetadata><RequestId>${Date.now()}</RequestId></ResponseMetadata></ResizeClusterResponse>`
  );
}
