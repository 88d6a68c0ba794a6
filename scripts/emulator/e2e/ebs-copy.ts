import { randomUUID } from 'node:crypto';
import {
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { DeleteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import { functionOf, resourceOf } from './deployed';
import type { Invocation } from './invoke';
import { matchPattern } from './python';
import type { ScenarioContext } from './scenario';
import { removeRecord } from './stream-records';

/** The copy tags the scenario reads (functions/ebs-snapshot/tags.ts). */
const SOURCE_TAG = 'ops-autopilot:source-snapshot';

export interface ObservedCopy {
  readonly id: string;
  readonly state: string;
  readonly tags: Record<string, string>;
}

export interface CopyObserved {
  readonly region: string;
  readonly sourceId: string;
  /** The documented event passes the deployed rule's pattern; the deployed mapping reads the deployed queue. */
  readonly ruleMatches: boolean;
  readonly mappingReadsQueue: boolean;
  readonly first: Invocation;
  readonly replay: Invocation;
  /** Copies of the source in the copy Region after both deliveries, and in the home Region. */
  readonly copies: ObservedCopy[];
  readonly copiesAtHome: number;
  readonly record?: Record<string, string>;
  readonly expiry: {
    readonly matched: boolean;
    readonly invocation?: Invocation;
    readonly copyLeft: boolean;
  };
}

const tagMap = (s: Snapshot) =>
  Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

async function copiesOf(ec2: EC2Client, sourceId: string): Promise<ObservedCopy[]> {
  const out = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [{ Name: `tag:${SOURCE_TAG}`, Values: [sourceId] }],
    }),
  );
  return (out.Snapshots ?? []).map((s) => ({
    id: s.SnapshotId ?? '',
    state: s.State ?? '',
    tags: tagMap(s),
  }));
}

/**
 * The EventBridge event EBS sends when a snapshot completes ("EBS Snapshot Notification", createSnapshot
 * succeeded): https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html#snapshot-events
 */
function snapshotNotification(account: string, snapshotId: string, volumeId: string): object {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const arn = (kind: string, id: string) => `arn:aws:ec2::${EMULATOR_REGION}:${kind}/${id}`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'EBS Snapshot Notification',
    source: 'aws.ec2',
    account,
    time: now,
    region: EMULATOR_REGION,
    resources: [arn('snapshot', snapshotId)],
    detail: {
      event: 'createSnapshot',
      result: 'succeeded',
      cause: '',
      'request-id': '',
      snapshot_id: arn('snapshot', snapshotId),
      source: arn('volume', volumeId),
      startTime: now,
      endTime: now,
    },
  };
}

/**
 * One SQS message holding the event as the rule's target sends it (the whole event as the body), as Lambda
 * delivers it from the queue: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
function sqsRecord(event: object, queueArn: string): object {
  const sent = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: JSON.stringify(event),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: EMULATOR_REGION,
  };
}

async function recordOf(
  ddb: DynamoDBClient,
  table: string,
  key: string,
): Promise<Record<string, string> | undefined> {
  const page = await ddb.send(new ScanCommand({ TableName: table }));
  const item = (page.Items ?? []).find((i) => i.snapshot_id?.S === key);
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N ?? '']));
}

/**
 * A completed managed snapshot copied into the copy Region by the deployed copy zip: the documented event
 * through the deployed rule's pattern, as an SQS message of the deployed queue, twice (the replay finds the
 * copy by its tag); then the copy's record removed by TTL through the delete zip, which deletes the copy in
 * its Region.
 */
export async function copyScenario(
  ctx: ScenarioContext,
  ddb: DynamoDBClient,
  remove: { invoke: (e: unknown) => Promise<Invocation> },
  source: { id: string; volumeId: string },
): Promise<CopyObserved> {
  const [region] = ctx.variables.snapshot_copy_regions as string[];
  if (!region) throw new Error('no copy Region applied');
  const there = new EC2Client({
    endpoint: ctx.endpoint,
    region,
    credentials: EMULATOR_CREDENTIALS,
  });
  const home = new EC2Client({
    endpoint: ctx.endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
  });
  const copyFn = functionOf(ctx.functions, 'ebs-snapshot-copy');
  const queue = resourceOf(ctx.resources, 'aws_sqs_queue', (a) =>
    String(a.name).endsWith('-ebs-snapshot-copies'),
  );
  const rule = resourceOf(ctx.resources, 'aws_cloudwatch_event_rule', (a) =>
    String(a.name).endsWith('-ebs-snapshot-copy'),
  );
  const mapping = resourceOf(
    ctx.resources,
    'aws_lambda_event_source_mapping',
    (a) => a.function_arn === copyFn.arn,
  );
  const table = resourceOf(ctx.resources, 'aws_dynamodb_table');
  const event = snapshotNotification(String(queue.arn).split(':')[4]!, source.id, source.volumeId);
  const [ruleMatches] = matchPattern(ctx.python, String(rule.event_pattern), [event]);
  const message = { Records: [sqsRecord(event, String(queue.arn))] };
  try {
    const copier = ctx.start(copyFn);
    const first = await copier.invoke(message);
    const replay = await copier.invoke(message);
    const copies = await copiesOf(there, source.id);
    const copiesAtHome = (await copiesOf(home, source.id)).length;
    const key = `${copies[0]?.id}@${region}`;
    const record = await recordOf(ddb, String(table.name), key);
    const expiry = await expireCopy(ctx, ddb, table, remove, key, copies[0]?.id);
    return {
      region,
      sourceId: source.id,
      ruleMatches: ruleMatches === true,
      mappingReadsQueue: mapping.event_source_arn === queue.arn,
      first,
      replay,
      copies,
      copiesAtHome,
      ...(record ? { record } : {}),
      expiry: { ...expiry, copyLeft: (await copiesOf(there, source.id)).length > 0 },
    };
  } finally {
    // Nothing of the scenario may stay in the copy Region either.
    for (const c of await copiesOf(there, source.id))
      await there.send(new DeleteSnapshotCommand({ SnapshotId: c.id }));
  }
}

/** The copy's record removed as TTL removes it, through the deployed mapping's filter to the delete zip. */
async function expireCopy(
  ctx: ScenarioContext,
  ddb: DynamoDBClient,
  table: Record<string, unknown>,
  remove: { invoke: (e: unknown) => Promise<Invocation> },
  key: string,
  copyId: string | undefined,
): Promise<{ matched: boolean; invocation?: Invocation }> {
  if (!copyId) return { matched: false };
  const deleteFn = functionOf(ctx.functions, 'ebs-snapshot-delete');
  const mapping = resourceOf(
    ctx.resources,
    'aws_lambda_event_source_mapping',
    (a) => a.function_arn === deleteFn.arn,
  );
  const patterns = (
    mapping.filter_criteria as Array<{ filter: Array<{ pattern: string }> }>
  )[0]!.filter.map((f) => f.pattern);
  const Key = { snapshot_id: { S: key } };
  const removed = await ddb.send(
    new DeleteItemCommand({ TableName: String(table.name), Key, ReturnValues: 'ALL_OLD' }),
  );
  const record = removeRecord(
    String(table.stream_arn),
    String(table.stream_view_type),
    Key,
    removed.Attributes,
    0,
    true,
  );
  const matched = patterns.some((p) => matchPattern(ctx.python, p, [record])[0]);
  return matched
    ? { matched, invocation: await remove.invoke({ Records: [record] }) }
    : { matched };
}
