/**
 * A delete that keeps failing past the stream's 24-hour retention. The platform is simulated as documented:
 * TTL removes an expired item (a REMOVE by dynamodb.amazonaws.com), the mapping retries a batch item
 * failure 3 times and then drops the record (its failure destination gets only the batch's metadata), and
 * the stream keeps records for 24 hours. A real EC2Client talks to the fake EC2 endpoint.
 */
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createEc2Client } from '../../../functions/ebs-snapshot/clients';
import { deleteExpiredSnapshots, type DeleteDeps } from '../../../functions/ebs-snapshot/delete';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../fixtures/fake-ec2-http';
import { TestClock } from '../fixtures/test-clock';
import {
  DELETE_CONFIG,
  deleteResourceTags,
  FakeTable,
  NOW,
  streamEvent,
  ttlRemoveOf,
} from '../fixtures/world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<AwsStub<any, any, any>> = [];
recordIamCalls('ebs-snapshot-delete', recorded, deleteResourceTags);

const HOUR = 3_600_000;
const SNAPSHOT_ID = 'snap-00000000000000042';
const MAPPING_RETRIES = 3;
let clock: TestClock;
let ec2Http: FakeEc2Http;
let table: FakeTable;
let deps: DeleteDeps;

beforeEach(() => {
  clock = new TestClock(NOW);
  ec2Http = new FakeEc2Http([], clock.now).seedSnapshot(SNAPSHOT_ID);
  table = new FakeTable();
  const ec2 = createEc2Client({
    region: WORLD.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: ec2Http,
    retryStrategy: new FastRecordingRetryStrategy(2),
  });
  const ddb = new DynamoDBClient({ region: WORLD.region });
  const ec2Mock = mockClient(ec2);
  ec2Mock.send.callThrough();
  const ddbMock = mockClient(ddb);
  table.install(ddbMock);
  recorded.splice(0, recorded.length, ec2Mock, ddbMock);
  deps = { ec2, ddb, now: clock.now };
  table.items.set(SNAPSHOT_ID, {
    snapshot_id: { S: SNAPSHOT_ID },
    volume_id: { S: 'vol-0a1b2c3d4e5f60001' },
    ttl: { N: String(NOW.getTime() / 1000) },
  });
});
afterEach(() => {
  for (const mock of recorded) mock.restore();
});

/** DynamoDB TTL: removes every expired item and hands its REMOVE to the stream. */
function expire(now: Date): DynamoDBRecord[] {
  const removed: DynamoDBRecord[] = [];
  for (const [key, item] of [...table.items]) {
    if (Number(item.ttl?.N ?? Infinity) * 1000 > now.getTime()) continue;
    table.items.delete(key);
    const record = ttlRemoveOf(key, String(now.getTime()));
    (record.dynamodb as { OldImage: Record<string, AttributeValue> }).OldImage = item;
    removed.push(record);
  }
  return removed;
}

/** The event source mapping: a failed record is retried MAPPING_RETRIES times, then dropped. */
async function deliver(records: DynamoDBRecord[]): Promise<number> {
  let failures = 0;
  let pending = records;
  for (let attempt = 0; attempt <= MAPPING_RETRIES && pending.length > 0; attempt++) {
    const { response, counts } = await deleteExpiredSnapshots(
      deps,
      DELETE_CONFIG,
      streamEvent(...pending),
    );
    failures += counts.failed + counts.inUse + counts.locked;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending.filter((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
  }
  return failures;
}

test('a delete failing for three days is retried from its written-back record until the snapshot is gone', async () => {
  // Prepare: EC2 answers InternalError to every DeleteSnapshot for 72 hours
  const failUntil = NOW.getTime() + 72 * HOUR;
  let visibleFailures = 0;

  // Act: a week of hourly TTL sweeps
  for (let hour = 0; hour <= 7 * 24; hour++) {
    ec2Http.clearFailures('DeleteSnapshot');
    if (clock.now().getTime() < failUntil)
      ec2Http.failNext('DeleteSnapshot', ...Array(8).fill({ status: 500, code: 'InternalError' }));
    visibleFailures += await deliver(expire(clock.now()));
    clock.advance(HOUR);
  }

  // Assess
  expect(ec2Http.snapshots.map((s) => s.snapshotId)).not.toContain(SNAPSHOT_ID);
  expect(visibleFailures).toBeGreaterThanOrEqual(72);
  expect(table.records()).toEqual([]);
});
