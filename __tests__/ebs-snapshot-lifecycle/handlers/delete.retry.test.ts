/**
 * DeleteSnapshot with a REAL EC2Client over a fake EC2 HTTP endpoint: the error codes EC2 sends in
 * XML reach the handler logic under the names it checks, and throttling is retried by the SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createEc2Client } from '../../../functions/ebs-snapshot/clients';
import { deleteExpiredSnapshots, type DeleteDeps } from '../../../functions/ebs-snapshot/delete';
import { recordIamCalls } from '../../support/iam-recorder';
import { WORLD } from '../../support/deployment';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../fixtures/fake-ec2-http';
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

let fake: FakeEc2Http;
let retry: FastRecordingRetryStrategy;
let deps: DeleteDeps;
let table: FakeTable;
let ddbClient: DynamoDBClient;

beforeEach(() => {
  fake = new FakeEc2Http([], () => NOW);
  retry = new FastRecordingRetryStrategy(4);
  const ec2 = createEc2Client({
    region: WORLD.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: fake,
    retryStrategy: retry,
  });
  const ec2Mock = mockClient(ec2);
  ec2Mock.send.callThrough();
  ddbClient = new DynamoDBClient({ region: WORLD.region });
  const ddbMock = mockClient(ddbClient);
  table = new FakeTable().install(ddbMock);
  recorded.splice(0, recorded.length, ec2Mock, ddbMock);
  deps = { ec2, ddb: ddbClient, now: () => NOW };
});
afterEach(() => {
  for (const mock of recorded) mock.restore();
});

test('EC2 XML errors InvalidSnapshot.NotFound and InvalidSnapshot.InUse are told apart', async () => {
  // Prepare
  fake.failNext(
    'DeleteSnapshot',
    {
      status: 400,
      code: 'InvalidSnapshot.NotFound',
      message: "The snapshot 'snap-00000000000000001' does not exist.",
    },
    {
      status: 400,
      code: 'InvalidSnapshot.InUse',
      message: 'The snapshot snap-00000000000000002 is currently in use by ami-0abcdef1234567890',
    },
  );
  const event = streamEvent(
    ttlRemoveOf('snap-00000000000000001', '100'),
    ttlRemoveOf('snap-00000000000000002', '200'),
  );

  // Act
  const { response, counts } = await deleteExpiredSnapshots(deps, DELETE_CONFIG, event);

  // Assess: the in-use snapshot's record is written back to expire again a day later
  expect(response).toEqual({ batchItemFailures: [] });
  expect(counts).toMatchObject({ alreadyDeleted: 1, inUse: 1, deleted: 0, failed: 0 });
  expect(table.items.get('snap-00000000000000002')?.ttl).toEqual({
    N: String(NOW.getTime() / 1000 + 86_400),
  });
  expect(retry.decisions.map((d) => [d.code, d.retried])).toEqual([
    ['InvalidSnapshot.NotFound', false],
    ['InvalidSnapshot.InUse', false],
  ]);
});

test('RequestLimitExceeded on DeleteSnapshot is retried by the SDK and the record succeeds', async () => {
  // Prepare
  fake.seedSnapshot('snap-00000000000000001');
  fake.failNext('DeleteSnapshot', { status: 503, code: 'RequestLimitExceeded' });

  // Act
  const { response, counts } = await deleteExpiredSnapshots(
    deps,
    DELETE_CONFIG,
    streamEvent(ttlRemoveOf('snap-00000000000000001', '100')),
  );

  // Assess
  expect(response).toEqual({ batchItemFailures: [] });
  expect(counts.deleted).toBe(1);
  expect(fake.count('DeleteSnapshot')).toBe(2);
  expect(fake.requests.at(-1)?.params.get('SnapshotId')).toBe('snap-00000000000000001');
});

test('a lost DeleteSnapshot reply: the SDK retry is told NotFound, and the snapshot counts as deleted', async () => {
  // Prepare
  fake.seedSnapshot('snap-00000000000000001');
  fake.loseReplyNext('DeleteSnapshot', 1);

  // Act
  const { response, counts } = await deleteExpiredSnapshots(
    deps,
    DELETE_CONFIG,
    streamEvent(ttlRemoveOf('snap-00000000000000001', '100')),
  );

  // Assess
  expect(response).toEqual({ batchItemFailures: [] });
  expect(fake.snapshots).toHaveLength(0);
  expect(counts).toMatchObject({ deleted: 1, alreadyDeleted: 0 });
});

test('every DeleteSnapshot reply lost: EC2 no longer has the snapshot, so it counts as deleted', async () => {
  // Prepare
  fake.seedSnapshot('snap-00000000000000001');
  fake.loseReplyNext('DeleteSnapshot', 4);

  // Act
  const { response, counts } = await deleteExpiredSnapshots(
    deps,
    DELETE_CONFIG,
    streamEvent(ttlRemoveOf('snap-00000000000000001', '100')),
  );

  // Assess
  expect(response).toEqual({ batchItemFailures: [] });
  expect(counts).toMatchObject({ deleted: 1, alreadyDeleted: 0, failed: 0 });
  expect(table.items.size).toBe(0);
});

test('every DeleteSnapshot attempt fails with 5xx while EC2 still lists the snapshot: a failure', async () => {
  // Prepare
  fake.seedSnapshot('snap-00000000000000001');
  const internal = { status: 500, code: 'InternalError' };
  fake.failNext('DeleteSnapshot', internal, internal, internal, internal);

  // Act
  const { counts } = await deleteExpiredSnapshots(
    deps,
    DELETE_CONFIG,
    streamEvent(ttlRemoveOf('snap-00000000000000001', '100')),
  );

  // Assess
  expect(counts).toMatchObject({ deleted: 0, failed: 1 });
  expect(fake.snapshots).toHaveLength(1);
  expect(table.items.get('snap-00000000000000001')?.last_delete_outcome).toEqual({ S: 'failed' });
});
