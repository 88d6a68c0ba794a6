/**
 * Throttling with a REAL EC2Client (built by the handler's own createEc2Client) over a fake EC2 HTTP
 * endpoint, so the SDK's retry middleware and the retryAlsoOn marker actually run. aws-sdk-client-mock
 * wraps the client with callThrough only to record the commands for the IAM proof.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createEc2Client } from '../../../functions/ebs-snapshot/clients';
import type { SnapshotRunDeps } from '../../../functions/ebs-snapshot/create';
import { snapshotVolumes } from '../../../functions/ebs-snapshot/run';
import { dynamoDbSnapshotStore } from '../../../functions/ebs-snapshot/store';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../fixtures/fake-ec2-http';
import { WORLD } from '../../support/deployment';
import {
  CREATE_CONFIG,
  createResourceTags,
  FakeTable,
  NOW,
  RUN_KEY,
  VOLUME_PAGES,
} from '../fixtures/world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<AwsStub<any, any, any>> = [];
recordIamCalls('ebs-snapshot-create', recorded, createResourceTags);

const MAX_ATTEMPTS = 4;
let fake: FakeEc2Http;
let retry: FastRecordingRetryStrategy;
let table: FakeTable;
let deps: SnapshotRunDeps;

beforeEach(() => {
  fake = new FakeEc2Http(VOLUME_PAGES, () => NOW);
  retry = new FastRecordingRetryStrategy(MAX_ATTEMPTS);
  const ec2 = createEc2Client({
    region: WORLD.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: fake,
    retryStrategy: retry,
  });
  const ec2Mock = mockClient(ec2);
  ec2Mock.send.callThrough();
  const ddbMock = mockClient(DynamoDBClient);
  table = new FakeTable().install(ddbMock);
  recorded.splice(0, recorded.length, ec2Mock, ddbMock);
  deps = {
    ec2,
    store: dynamoDbSnapshotStore(new DynamoDBClient({ region: WORLD.region }), CREATE_CONFIG),
    now: () => NOW,
    attempt: 'run-a',
  };
});
afterEach(() => {
  for (const mock of recorded) mock.restore();
});

test('sends the tag-key filter and the snapshot tags over the wire', async () => {
  // Act
  await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

  // Assess
  const describe = fake.requests.find((r) => r.action === 'DescribeVolumes')?.params;
  expect(describe?.get('Filter.1.Name')).toBe('tag-key');
  expect(describe?.get('Filter.1.Value.1')).toBe('Snapshot');
  const create = fake.requests.find((r) => r.action === 'CreateSnapshot')?.params;
  expect(create?.get('TagSpecification.1.ResourceType')).toBe('snapshot');
  expect(fake.count('DescribeVolumes')).toBe(3);
});

test('RequestLimitExceeded (HTTP 503) then success: the SDK backs off and retries', async () => {
  // Prepare
  fake.failNext('CreateSnapshot', {
    status: 503,
    code: 'RequestLimitExceeded',
    message: 'Request limit exceeded.',
  });

  // Act
  const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

  // Assess
  expect(result).toMatchObject({ created: 5, failed: 0 });
  expect(fake.count('CreateSnapshot')).toBe(6);
  expect(fake.snapshots).toHaveLength(5);
  expect(retry.decisions).toEqual([
    { code: 'RequestLimitExceeded', errorType: 'THROTTLING', retried: true },
  ]);
});

test('SnapshotCreationPerVolumeRateExceeded then success: retried as throttling (retryAlsoOn)', async () => {
  // Prepare
  const throttled = {
    status: 400,
    code: 'SnapshotCreationPerVolumeRateExceeded',
    message: 'The maximum per volume CreateSnapshot request rate has been exceeded.',
  };
  fake.failNext('CreateSnapshot', throttled, throttled);

  // Act
  const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

  // Assess
  expect(result).toMatchObject({ created: 5, failed: 0 });
  expect(fake.count('CreateSnapshot')).toBe(7);
  expect(retry.decisions).toEqual([
    { code: 'SnapshotCreationPerVolumeRateExceeded', errorType: 'THROTTLING', retried: true },
    { code: 'SnapshotCreationPerVolumeRateExceeded', errorType: 'THROTTLING', retried: true },
  ]);
});

test('a throttled DescribeVolumes page is retried and no volume is lost', async () => {
  // Prepare
  fake.failNext('DescribeVolumes', { status: 503, code: 'RequestLimitExceeded' });

  // Act
  const result = await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

  // Assess
  expect(result).toMatchObject({ volumes: 5, created: 5 });
  expect(fake.count('DescribeVolumes')).toBe(4);
});

test('throttling past the maximum attempts fails only that volume and releases its claim', async () => {
  // Prepare: with concurrency 1 the first volume takes every throttle
  const throttled = { status: 400, code: 'SnapshotCreationPerVolumeRateExceeded' };
  fake.failNext('CreateSnapshot', ...Array.from({ length: MAX_ATTEMPTS }, () => throttled));

  // Act
  const result = await snapshotVolumes(deps, { ...CREATE_CONFIG, concurrency: 1 }, RUN_KEY);

  // Assess
  expect(result).toMatchObject({ created: 4, failed: 1 });
  expect(result.outcomes.find((o) => o.outcome === 'failed')).toMatchObject({
    volumeId: 'vol-0a1b2c3d4e5f60001',
    step: 'create',
  });
  expect(retry.decisions.at(-1)).toEqual({
    code: 'SnapshotCreationPerVolumeRateExceeded',
    errorType: 'THROTTLING',
    retried: false,
  });
  expect(
    table.claims().find((c) => c.volume_id?.S === 'vol-0a1b2c3d4e5f60001')?.claimed_at,
  ).toEqual({ N: '0' });
});

test('replaying the event over the wire finds the run-tagged snapshots and creates none', async () => {
  // Prepare
  await snapshotVolumes(deps, CREATE_CONFIG, RUN_KEY);

  // Act
  const replay = await snapshotVolumes({ ...deps, attempt: 'run-b' }, CREATE_CONFIG, RUN_KEY);

  // Assess
  expect(replay).toMatchObject({ created: 0, skipped: 5 });
  expect(fake.count('CreateSnapshot')).toBe(5);
  const describe = fake.requests.filter((r) => r.action === 'DescribeSnapshots').at(-1)?.params;
  expect(describe?.get('Owner.1')).toBe('self');
});
