import { randomUUID } from 'node:crypto';
import {
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import { copyScenario, type CopyObserved } from './ebs-copy';
import { functionOf, resourceOf, scheduleRuleArnOf } from './deployed';
import { matchPattern } from './python';
import { removeRecord } from './stream-records';
import { runDefinition } from './sfn';
import type { Scenario, ScenarioContext } from './scenario';

/** More tagged volumes than one emulator DescribeVolumes page holds (VOLUME_PAGE_CAP, 10), few more. */
const DAYS_TAGGED = 8;
const TEXT_TAGGED = 6;
const UNTAGGED = 3;

export interface ObservedSnapshot {
  readonly id: string;
  readonly volumeId: string;
  readonly startTime: string;
  readonly tags: Record<string, string>;
}

export interface ObservedItem {
  readonly snapshotId: string;
  readonly ttl?: number;
}

export interface EbsObserved {
  readonly tagKey: string;
  readonly defaultRetentionDays: number;
  readonly runKey: string;
  readonly volumes: Array<{ id: string; tags: Record<string, string> }>;
  readonly first: { invocation: unknown; snapshots: ObservedSnapshot[]; items: ObservedItem[] };
  readonly replay: { invocation: unknown; snapshots: ObservedSnapshot[]; items: ObservedItem[] };
  /** DescribeVolumes calls the create run made (as the pagination fix-up saw them). */
  readonly describeVolumesPages: Array<{ maxResults?: string; nextToken?: string }>;
  readonly expiry: {
    readonly filterPatterns: string[];
    readonly records: Array<{
      kind: 'ttl' | 'manual' | 'ttl-claim';
      key: string;
      matched: boolean;
    }>;
    readonly invocation: unknown;
    /** Snapshot ids of the removed records, and whether EC2 still has each afterwards. */
    readonly snapshotsLeft: Record<string, boolean>;
  };
  /** With copy Regions applied: a snapshot of the first run copied into the first one, then expired. */
  readonly copies?: CopyObserved;
}

const tagMap = (tags: readonly Tag[] | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

async function inBatches<T, R>(items: readonly T[], size: number, f: (t: T) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

/** The snapshots of these volumes (moto's own AMIs come with snapshots of their own). */
async function snapshots(
  ec2: EC2Client,
  volumes: ReadonlySet<string>,
): Promise<ObservedSnapshot[]> {
  const res = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  const ours = (res.Snapshots ?? []).filter((s) => volumes.has(s.VolumeId ?? ''));
  return ours.map((s) => ({
    id: s.SnapshotId ?? '',
    volumeId: s.VolumeId ?? '',
    startTime: s.StartTime?.toISOString() ?? '',
    tags: tagMap(s.Tags),
  }));
}

async function items(ddb: DynamoDBClient, table: string): Promise<ObservedItem[]> {
  const out: ObservedItem[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const ttl = item.ttl?.N;
      out.push({ snapshotId: item.snapshot_id?.S ?? '', ...(ttl ? { ttl: Number(ttl) } : {}) });
    }
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return out;
}

async function expire(
  ctx: ScenarioContext,
  clients: { ec2: EC2Client; ddb: DynamoDBClient },
  table: Record<string, unknown>,
  patterns: string[],
  remove: { invoke: (e: unknown) => Promise<unknown> },
  volumeIds: ReadonlySet<string>,
): Promise<EbsObserved['expiry']> {
  const tableName = String(table.name);
  const all = await items(clients.ddb, tableName);
  const records = all.filter((i) => i.snapshotId.startsWith('snap-'));
  const claim = all.find((i) => !i.snapshotId.startsWith('snap-'));
  const chosen = [
    ...records.slice(0, 3).map((i) => ({ kind: 'ttl' as const, key: i.snapshotId })),
    ...records.slice(3, 5).map((i) => ({ kind: 'manual' as const, key: i.snapshotId })),
    ...(claim ? [{ kind: 'ttl-claim' as const, key: claim.snapshotId }] : []),
  ];
  const streamArn = String(table.stream_arn);
  const viewType = String(table.stream_view_type);
  const lambdaRecords: unknown[] = [];
  for (const [i, c] of chosen.entries()) {
    const Key = { snapshot_id: { S: c.key } };
    const removed = await clients.ddb.send(
      new DeleteItemCommand({ TableName: tableName, Key, ReturnValues: 'ALL_OLD' }),
    );
    lambdaRecords.push(
      removeRecord(streamArn, viewType, Key, removed.Attributes, i, c.kind !== 'manual'),
    );
  }
  const matches = patterns.map((p) => matchPattern(ctx.python, p, lambdaRecords));
  const matched = lambdaRecords.map((_r, i) => matches.some((m) => m[i]));
  const passed = lambdaRecords.filter((_r, i) => matched[i]);
  const invocation = passed.length > 0 ? await remove.invoke({ Records: passed }) : undefined;
  const left = new Set((await snapshots(clients.ec2, volumeIds)).map((s) => s.id));
  return {
    filterPatterns: patterns,
    records: chosen.map((c, i) => ({ ...c, matched: matched[i]! })),
    invocation,
    snapshotsLeft: Object.fromEntries(
      chosen.filter((c) => c.kind !== 'ttl-claim').map((c) => [c.key, left.has(c.key)]),
    ),
  };
}

/**
 * EBS snapshot lifecycle on the applied stack: tagged and untagged volumes in the emulator's EC2, the start
 * zip on a scheduled event of the deployed rule, the execution it started (read back from the emulator's
 * Step Functions) run locally from the deployed definition with the create zip as its page task (twice), then
 * stream REMOVE records of some of the records it wrote through the deployed event source mapping's filter to
 * the delete zip; with copy Regions applied, a snapshot it kept copied into one of them (ebs-copy.ts).
 */
export const ebsScenario: Scenario = async (ctx) => {
  const client = {
    endpoint: ctx.endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
  };
  const ec2 = new EC2Client(client);
  const ddb = new DynamoDBClient(client);
  const create = functionOf(ctx.functions, 'ebs-snapshot-create');
  const starter = functionOf(ctx.functions, 'ebs-snapshot-start');
  const machine = resourceOf(ctx.resources, 'aws_sfn_state_machine');
  const remove = functionOf(ctx.functions, 'ebs-snapshot-delete');
  const tagKey = String(ctx.variables.snapshot_tag_key);
  const table = resourceOf(ctx.resources, 'aws_dynamodb_table');
  const ruleArn = scheduleRuleArnOf(ctx.resources, starter.arn);
  const mapping = resourceOf(
    ctx.resources,
    'aws_lambda_event_source_mapping',
    (a) => a.function_arn === remove.arn,
  );
  const filters = (mapping.filter_criteria as Array<{ filter: Array<{ pattern: string }> }>)[0]!
    .filter;

  const specs = [
    ...Array.from({ length: DAYS_TAGGED }, (_, i) => ({
      [tagKey]: String(1 + (i % 5)),
      Name: `e2e-${i}`,
    })),
    ...Array.from({ length: TEXT_TAGGED }, () => ({ [tagKey]: 'weekly', Team: 'e2e' })),
    ...Array.from({ length: UNTAGGED }, () => ({ Team: 'e2e' })),
  ];
  // All at once: each CreateVolume waits on the emulator, not on this process.
  const volumes = await inBatches(specs, specs.length, async (tags) => {
    const v = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: `${EMULATOR_REGION}a`,
        Size: 1,
        TagSpecifications: [
          {
            ResourceType: 'volume',
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    return { id: v.VolumeId ?? '', tags };
  });
  const ids = new Set(volumes.map((v) => v.id));
  try {
    const runKey = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ruleArn.split(':')[4],
      time: runKey,
      region: EMULATOR_REGION,
      resources: [ruleArn],
      detail: {},
    };
    const startFn = ctx.start(starter);
    const pages = ctx.start(create);
    const sfn = new SFNClient(client);
    /** The start zip on the event, then the execution it started in the emulator, run locally. */
    const runOnce = async () => {
      const start = await startFn.invoke(event);
      const listed = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: String(machine.arn) }),
      );
      const latest = listed.executions?.[0];
      if (!latest?.executionArn) throw new Error(`no execution started: ${JSON.stringify(start)}`);
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: latest.executionArn }),
      );
      const run = await runDefinition(
        String(machine.definition),
        JSON.parse(described.input ?? '{}'),
        { [create.arn]: pages },
        ctx.endpoint,
      );
      return { start, executions: listed.executions?.length ?? 0, ...run };
    };
    const seen = ctx.records().length;
    const firstRun = await runOnce();
    const describeVolumes = ctx
      .records()
      .slice(seen)
      .filter((r) => r.operation === 'DescribeVolumes')
      .map((r) => ({
        ...(r.params.MaxResults ? { maxResults: String(r.params.MaxResults) } : {}),
        ...(r.params.NextToken ? { nextToken: String(r.params.NextToken) } : {}),
      }));
    const first = {
      invocation: firstRun,
      snapshots: await snapshots(ec2, ids),
      items: await items(ddb, String(table.name)),
    };
    const replayRun = await runOnce();
    const replay = {
      invocation: replayRun,
      snapshots: await snapshots(ec2, ids),
      items: await items(ddb, String(table.name)),
    };
    const deleter = ctx.start(remove);
    const expiry = await expire(
      ctx,
      { ec2, ddb },
      table,
      filters.map((f) => f.pattern),
      deleter,
      ids,
    );
    const kept = first.snapshots.find((s) => !expiry.records.some((r) => r.key === s.id));
    const copyRegions = (ctx.variables.snapshot_copy_regions ?? []) as string[];
    const copies =
      copyRegions.length > 0 && kept
        ? await copyScenario(ctx, ddb, deleter, { id: kept.id, volumeId: kept.volumeId })
        : undefined;
    const observed: EbsObserved = {
      tagKey,
      defaultRetentionDays: Number(ctx.variables.snapshot_default_retention_days),
      runKey,
      volumes,
      first,
      replay,
      describeVolumesPages: describeVolumes,
      expiry,
      ...(copies ? { copies } : {}),
    };
    return observed;
  } finally {
    // Nothing of the scenario may stay for the after-destroy inventory.
    const left = await snapshots(ec2, ids);
    await inBatches(left, 10, (s) => ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.id })));
    await inBatches(volumes, 10, (v) => ec2.send(new DeleteVolumeCommand({ VolumeId: v.id })));
  }
};
