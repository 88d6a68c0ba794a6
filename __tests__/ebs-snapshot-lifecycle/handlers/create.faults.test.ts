/**
 * Lost replies at the wire: a REAL EC2Client and DynamoDBClient (the handler's own factories) over fakes
 * that apply a write and then reset the connection, so the SDK's own retry runs as in Lambda.
 */
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createDynamoDbClient, createEc2Client } from '../../../functions/ebs-snapshot/clients';
import type { SnapshotRunDeps } from '../../../functions/ebs-snapshot/create';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { dynamoDbSnapshotStore } from '../../../functions/ebs-snapshot/store';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { FakeDynamoDbHttp } from '../fixtures/fake-dynamodb-http';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../fixtures/fake-ec2-http';
import { instanceWith } from '../fixtures/instance-world';
import { TestClock } from '../fixtures/test-clock';
import {
  CREATE_CONFIG,
  createResourceTags,
  FakeTable,
  NOW,
  RUN_KEY,
  VOLUME_PAGES,
  VOLUMES,
} from '../fixtures/world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<AwsStub<any, any, any>> = [];
recordIamCalls('ebs-snapshot-create', recorded, createResourceTags);

let ec2Http: FakeEc2Http;
let ddbHttp: FakeDynamoDbHttp;
let table: FakeTable;
let clock: TestClock;

function deps(attempt: string): SnapshotRunDeps {
  const base = { region: WORLD.region, credentials: FAKE_CREDENTIALS };
  const ec2 = createEc2Client({
    ...base,
    requestHandler: ec2Http,
    retryStrategy: new FastRecordingRetryStrategy(4),
  });
  const ddb = createDynamoDbClient({
    ...base,
    requestHandler: ddbHttp,
    retryStrategy: new FastRecordingRetryStrategy(4),
  });
  const ec2Mock = mockClient(ec2);
  const ddbMock = mockClient(ddb);
  ec2Mock.send.callThrough();
  ddbMock.send.callThrough();
  recorded.push(ec2Mock, ddbMock);
  return {
    ec2,
    store: dynamoDbSnapshotStore(ddb, CREATE_CONFIG),
    now: clock.now,
    sleep: clock.sleep,
    attempt,
  };
}

beforeEach(() => {
  clock = new TestClock(NOW);
  ec2Http = new FakeEc2Http(VOLUME_PAGES, clock.now);
  table = new FakeTable();
  ddbHttp = new FakeDynamoDbHttp(table);
  recorded.splice(0, recorded.length);
});
afterEach(() => {
  for (const mock of recorded) mock.restore();
});

const snapshotsOf = (volumeId: string) => ec2Http.snapshots.filter((s) => s.volumeId === volumeId);
const recorded_ = (snapshotId: string) => table.items.has(snapshotId);

test('a lost reply to the claim PutItem: the SDK retry meets its own claim and the volume is snapshotted', async () => {
  // Prepare: the first PutItem of the run is the first volume's claim
  ddbHttp.loseReplyNext(1);

  // Act
  const result = await snapshotVolumes(
    deps('attempt-a'),
    { ...CREATE_CONFIG, concurrency: 1 },
    RUN_KEY,
  );

  // Assess
  expect(result).toMatchObject({ created: VOLUMES.length, failed: 0 });
  expect(new Set(ec2Http.snapshots.map((s) => s.volumeId)).size).toBe(VOLUMES.length);
});

test('a lost reply to CreateSnapshot with a lagging listing: one snapshot, recorded, no blind retry', async () => {
  // Prepare: EC2 makes the snapshot, the reply is lost; DescribeSnapshots lags 5 s behind
  ec2Http.listingLagMs = 5_000;
  ec2Http.loseReplyNext('CreateSnapshot', 1);

  // Act
  const result = await snapshotVolumes(
    deps('attempt-a'),
    { ...CREATE_CONFIG, concurrency: 1 },
    RUN_KEY,
  );

  // Assess
  const first = VOLUMES[0]?.VolumeId as string;
  expect(snapshotsOf(first)).toHaveLength(1);
  expect(ec2Http.snapshots.every((s) => recorded_(s.snapshotId))).toBe(true);
  expect(result).toMatchObject({ failed: 0 });
});

test('a create and claim release that fail on the first attempt: the platform retry snapshots the volume', async () => {
  // Prepare: the first attempt's CreateSnapshot of one volume is refused and its claim release fails
  const failedVolume = VOLUMES[0]?.VolumeId as string;
  ec2Http.failNext('CreateSnapshot', { status: 400, code: 'IncorrectState' });
  table.failPut = (item) =>
    item.snapshot_id?.S?.startsWith('claim#') && item.claimed_at?.N === '0'
      ? new Error('release lost')
      : undefined;
  await snapshotVolumes(deps('attempt-a'), { ...CREATE_CONFIG, concurrency: 1 }, RUN_KEY);
  table.failPut = () => undefined;
  // Lambda retries a failed asynchronous invocation after about a minute
  clock.advance(61_000);

  // Act
  const retry = await snapshotVolumes(
    deps('attempt-b'),
    { ...CREATE_CONFIG, concurrency: 1 },
    RUN_KEY,
  );

  // Assess
  expect(snapshotsOf(failedVolume)).toHaveLength(1);
  expect(retry.failed).toBe(0);
});

test('a lost reply to CreateSnapshots: the SDK does not retry it, the set is found by its tag and recorded', async () => {
  // Prepare: a tagged instance with one data volume; EC2 makes the set, the reply is lost
  const dataVolume = 'vol-0d47a000000000001';
  ec2Http.instances.push(
    instanceWith('i-0c0ffee0000000001', [dataVolume], { SnapshotInstance: '3' }),
  );
  ec2Http.loseReplyNext('CreateSnapshots', 1);

  // Act
  const result = await snapshotVolumes(deps('attempt-a'), CREATE_CONFIG, RUN_KEY);

  // Assess
  expect(ec2Http.count('CreateSnapshots')).toBe(1);
  expect(snapshotsOf(dataVolume)).toHaveLength(1);
  expect(recorded_(snapshotsOf(dataVolume)[0]?.snapshotId ?? '')).toBe(true);
  expect(result.failed).toBe(0);
});
