/**
 * The test world of the EBS snapshot handlers: fixtures, an in-memory DynamoDB table behind a PutItem
 * mock (it evaluates the condition expressions the handler sends), and an EC2 world behind the EC2
 * mock (tagged volumes over several pages, snapshots that remember their tags).
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type CreateSnapshotCommandInput,
  type DescribeSnapshotsCommandInput,
  type DescribeSnapshotsCommandOutput,
  type DescribeVolumesCommandInput,
  type DescribeVolumesCommandOutput,
  type Filter,
  type Snapshot,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { CreateEnvSchema, DeleteEnvSchema } from '../../../../functions/ebs-snapshot/config';
import { readEnv } from '../../../../functions/shared/env';
import { managedBy, resourceName, WORLD } from '../../../fixtures/deployment';
import volumePagesFixture from '../../../fixtures/ebs-snapshot/describe-volumes-pages.json';
import scheduledEventFixture from '../../../fixtures/ebs-snapshot/scheduled-event.json';
import claimExpiry from '../../../fixtures/ebs-snapshot/stream-claim-expiry.json';
import insert from '../../../fixtures/ebs-snapshot/stream-insert.json';
import manualRemove from '../../../fixtures/ebs-snapshot/stream-manual-remove.json';
import modify from '../../../fixtures/ebs-snapshot/stream-modify.json';
import ttlRemove from '../../../fixtures/ebs-snapshot/stream-ttl-remove.json';

/** The stack that deploys both functions; its managed-by value is what the IAM policy conditions on. */
export const STACK = 'ebs-snapshot-lifecycle';

/** The environment the stack sets on each function, in the shared deployment world. */
export const CREATE_ENV: Readonly<Record<string, string>> = {
  TABLE_NAME: resourceName('ebs-snapshots'),
  TAG_KEY: 'Snapshot',
  DEFAULT_RETENTION_DAYS: '7',
  MANAGED_BY: managedBy(STACK),
  CONCURRENCY: '4',
  CLAIM_STALE_AFTER_SECONDS: '900',
};
export const DELETE_ENV: Readonly<Record<string, string>> = { MANAGED_BY: managedBy(STACK) };
export const CREATE_CONFIG = readEnv(CreateEnvSchema, { ...CREATE_ENV });
export const DELETE_CONFIG = readEnv(DeleteEnvSchema, { ...DELETE_ENV });
export const MANAGED_BY = CREATE_CONFIG.managedBy;

/** A fresh deep copy of the AWS-documented scheduled event, so a test may break it freely. */
export const scheduledEvent = (): Record<string, unknown> => structuredClone(scheduledEventFixture);
export const RUN_KEY = scheduledEventFixture.time;
/** The clock of the world: the scheduled event fired one second ago. */
export const NOW = new Date(Date.parse(RUN_KEY) + 1000);

export const VOLUME_PAGES: readonly DescribeVolumesCommandOutput[] = (
  volumePagesFixture.pages as unknown as ReadonlyArray<
    Omit<DescribeVolumesCommandOutput, '$metadata'>
  >
).map((p) => ({ ...structuredClone(p), $metadata: {} }));
export const VOLUMES: readonly Volume[] = VOLUME_PAGES.flatMap((p) => p.Volumes ?? []);
export const volume = (volumeId: string): Volume => {
  const found = VOLUMES.find((v) => v.VolumeId === volumeId);
  if (!found) throw new Error(`no volume ${volumeId} in the fixture`);
  return found;
};
export const tagsOf = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

/** IAM recorder resource tags: CreateSnapshot acts on the volume, which carries the fixture's tags. */
export function createResourceTags(
  command: string,
  input: unknown,
): Record<string, string> | undefined {
  if (command !== 'CreateSnapshot') return undefined;
  const volumeId = (input as CreateSnapshotCommandInput).VolumeId;
  const found = VOLUMES.find((v) => v.VolumeId === volumeId);
  return found ? tagsOf(found.Tags) : undefined;
}

/** IAM recorder resource tags: the world's snapshots were created by the create handler. */
export function deleteResourceTags(command: string): Record<string, string> | undefined {
  return command === 'DeleteSnapshot' ? { 'managed-by': DELETE_CONFIG.managedBy } : undefined;
}

export const clients = () => ({
  ec2: new EC2Client({ region: WORLD.region }),
  ddb: new DynamoDBClient({ region: WORLD.region }),
});

// ---------------------------------------------------------------------------------------------------
// DynamoDB: one table keyed by snapshot_id.

type Item = Record<string, AttributeValue>;

function compare(
  left: AttributeValue | undefined,
  op: string,
  right: AttributeValue | undefined,
): boolean {
  if (!left || !right) return false;
  const a = left.N !== undefined ? Number(left.N) : left.S;
  const b = right.N !== undefined ? Number(right.N) : right.S;
  if (a === undefined || b === undefined || typeof a !== typeof b) return false;
  if (op === '=') return a === b;
  if (op === '<') return a < b;
  if (op === '>') return a > b;
  throw new Error(`unsupported operator ${op}`);
}

/** Evaluates `clause OR clause ...`, each clause attribute_not_exists(a) or `a <|=|> :v`. */
export function conditionHolds(
  expression: string,
  existing: Item | undefined,
  values: Item = {},
): boolean {
  return expression.split(/\s+OR\s+/).some((clause) => {
    const notExists = /^attribute_not_exists\((\w+)\)$/.exec(clause.trim());
    if (notExists) return existing?.[notExists[1] as string] === undefined;
    const cmp = /^(\w+)\s*(<|=|>)\s*(:\w+)$/.exec(clause.trim());
    if (cmp)
      return compare(existing?.[cmp[1] as string], cmp[2] as string, values[cmp[3] as string]);
    throw new Error(`the fake table does not understand the condition "${clause}"`);
  });
}

export class FakeTable {
  readonly items = new Map<string, Item>();
  /** Return an error to make that PutItem fail (before the condition is checked). */
  failPut: (item: Item) => Error | undefined = () => undefined;

  install(ddbMock: AwsClientStub<DynamoDBClient>): this {
    ddbMock.on(PutItemCommand).callsFake(async (input: PutItemCommandInput) => this.put(input));
    return this;
  }

  put(input: PutItemCommandInput): object {
    const item = input.Item ?? {};
    const key = item.snapshot_id?.S;
    if (!key) throw new Error('PutItem without snapshot_id');
    const injected = this.failPut(item);
    if (injected) throw injected;
    if (
      input.ConditionExpression &&
      !conditionHolds(
        input.ConditionExpression,
        this.items.get(key),
        input.ExpressionAttributeValues,
      )
    ) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
    }
    this.items.set(key, item);
    return { $metadata: {} };
  }

  records(): Item[] {
    return [...this.items.values()].filter((i) => i.snapshot_id?.S?.startsWith('snap-'));
  }

  claims(): Item[] {
    return [...this.items.values()].filter((i) => i.snapshot_id?.S?.startsWith('claim#'));
  }
}

// ---------------------------------------------------------------------------------------------------
// EC2: tagged volumes over pages; snapshots that remember their tags.

function matches(
  filters: readonly Filter[] | undefined,
  tags: readonly Tag[] | undefined,
): boolean {
  return (filters ?? []).every((f) => {
    if (!f.Name?.startsWith('tag:'))
      throw new Error(`the fake EC2 world does not understand filter ${f.Name}`);
    const value = tags?.find((t) => t.Key === f.Name?.slice('tag:'.length))?.Value;
    return value !== undefined && (f.Values ?? []).includes(value);
  });
}

export class Ec2World {
  readonly snapshots: Snapshot[] = [];
  /** Volume ids for which CreateSnapshot fails with this error. */
  readonly createFailures = new Map<string, Error>();
  /** DescribeSnapshots page size the fake uses, to exercise the paginator there too. */
  snapshotPageSize = 2;
  private counter = 0;

  constructor(
    readonly pages: readonly DescribeVolumesCommandOutput[] = VOLUME_PAGES,
    private readonly now: () => Date = () => NOW,
  ) {}

  install(ec2Mock: AwsClientStub<EC2Client>): this {
    ec2Mock
      .on(DescribeVolumesCommand)
      .callsFake(async (input: DescribeVolumesCommandInput) => this.describeVolumes(input));
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .callsFake(async (input: DescribeSnapshotsCommandInput) => this.describeSnapshots(input));
    ec2Mock
      .on(CreateSnapshotCommand)
      .callsFake(async (input: CreateSnapshotCommandInput) => this.createSnapshot(input));
    return this;
  }

  describeVolumes(input: DescribeVolumesCommandInput): DescribeVolumesCommandOutput {
    const filter = input.Filters?.find((f) => f.Name === 'tag-key');
    if (!filter?.Values?.length)
      throw new Error('DescribeVolumes without a tag-key filter would list every volume');
    const index = input.NextToken
      ? this.pages.findIndex((_, i) => this.pages[i - 1]?.NextToken === input.NextToken)
      : 0;
    const page = this.pages[index];
    if (!page) throw new Error(`unknown NextToken ${input.NextToken}`);
    const keys = filter.Values;
    return {
      ...page,
      Volumes: (page.Volumes ?? []).filter((v) => v.Tags?.some((t) => keys.includes(t.Key ?? ''))),
    };
  }

  describeSnapshots(input: DescribeSnapshotsCommandInput): DescribeSnapshotsCommandOutput {
    if (!input.OwnerIds?.includes('self'))
      throw new Error('DescribeSnapshots without OwnerIds self would list public snapshots');
    const all = this.snapshots.filter((s) => matches(input.Filters, s.Tags));
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const end = start + this.snapshotPageSize;
    return {
      Snapshots: all.slice(start, end),
      ...(end < all.length ? { NextToken: String(end) } : {}),
      $metadata: {},
    };
  }

  createSnapshot(input: CreateSnapshotCommandInput): Snapshot & { $metadata: object } {
    const failure = this.createFailures.get(input.VolumeId ?? '');
    if (failure) throw failure;
    this.counter += 1;
    const snapshot: Snapshot = {
      SnapshotId: `snap-${this.counter.toString(16).padStart(17, '0')}`,
      VolumeId: input.VolumeId,
      Description: input.Description,
      State: 'pending',
      StartTime: this.now(),
      OwnerId: WORLD.account,
      Tags:
        input.TagSpecifications?.filter((s) => s.ResourceType === 'snapshot').flatMap(
          (s) => s.Tags ?? [],
        ) ?? [],
    };
    this.snapshots.push(snapshot);
    return { ...snapshot, $metadata: {} };
  }
}

// ---------------------------------------------------------------------------------------------------
// DynamoDB stream events (AWS-documented shapes).

const firstRecord = (event: { Records: unknown[] }): DynamoDBRecord =>
  structuredClone(event.Records[0]) as DynamoDBRecord;

export const streamRecords = {
  ttlRemove: () => firstRecord(ttlRemove),
  manualRemove: () => firstRecord(manualRemove),
  insert: () => firstRecord(insert),
  modify: () => firstRecord(modify),
  claimExpiry: () => firstRecord(claimExpiry),
};

/** A TTL-expiry REMOVE of the record of `snapshotId`, with its own sequence number. */
export function ttlRemoveOf(snapshotId: string, sequenceNumber: string): DynamoDBRecord {
  const record = streamRecords.ttlRemove();
  const dynamodb = record.dynamodb as NonNullable<DynamoDBRecord['dynamodb']>;
  dynamodb.Keys = { snapshot_id: { S: snapshotId } };
  (dynamodb.OldImage as Record<string, { S?: string }>).snapshot_id = { S: snapshotId };
  dynamodb.SequenceNumber = sequenceNumber;
  record.eventID = `event-${sequenceNumber}`;
  return record;
}

export const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({
  Records: records,
});
