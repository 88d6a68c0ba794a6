/**
 * functions/shared/never-retry-blindly.ts on a REAL EC2Client over a fake EC2 HTTP endpoint, so the SDK's
 * retry middleware runs and judges what the helper leaves it.
 */
import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../../functions/shared/aws';
import { neverRetryBlindly, OutcomeUnknownError } from '../../functions/shared/never-retry-blindly';
import { WORLD } from '../support/deployment';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../ebs-snapshot-lifecycle/fixtures/fake-ec2-http';

class CreateOutcomeUnknownError extends OutcomeUnknownError {}

const THROTTLED = { status: 503, code: 'RequestLimitExceeded' };
const SERVER_ERROR = { status: 500, code: 'InternalError', message: 'An internal error occurred.' };
const VOLUME = { VolumeId: 'vol-0a1b2c3d4e5f60001' };

let fake: FakeEc2Http;
let retry: FastRecordingRetryStrategy;
const guarded = () =>
  neverRetryBlindly(
    new EC2Client({
      ...clientConfig(),
      region: WORLD.region,
      credentials: FAKE_CREDENTIALS,
      requestHandler: fake,
      retryStrategy: retry,
    }),
    { commands: ['CreateSnapshotCommand'], outcomeUnknown: CreateOutcomeUnknownError },
  );

beforeEach(() => {
  fake = new FakeEc2Http([], () => new Date('2015-10-08T16:53:07Z'));
  retry = new FastRecordingRetryStrategy(4);
});

test('a listed write whose reply was lost is not sent again: it throws the outcome-unknown error', async () => {
  // Prepare
  fake.loseReplyNext('CreateSnapshot');

  // Act
  const sent = guarded().send(new CreateSnapshotCommand(VOLUME));

  // Assess
  await expect(sent).rejects.toBeInstanceOf(CreateOutcomeUnknownError);
  await expect(sent).rejects.toThrow(/^CreateSnapshot may have been applied: /);
  expect(fake.count('CreateSnapshot')).toBe(1);
  expect(fake.snapshots).toHaveLength(1);
});

test('a listed write answered with a server error is not sent again', async () => {
  // Prepare
  fake.failNext('CreateSnapshot', SERVER_ERROR);

  // Act
  const sent = guarded().send(new CreateSnapshotCommand(VOLUME));

  // Assess
  await expect(sent).rejects.toMatchObject({
    name: 'CreateOutcomeUnknownError',
    sdkError: expect.objectContaining({ name: 'InternalError' }),
  });
  expect(fake.count('CreateSnapshot')).toBe(1);
});

test('a throttled listed write is retried with backoff (throttling is a refusal)', async () => {
  // Prepare
  fake.failNext('CreateSnapshot', THROTTLED);

  // Act
  const out = await guarded().send(new CreateSnapshotCommand(VOLUME));

  // Assess
  expect(out.SnapshotId).toMatch(/^snap-/);
  expect(retry.decisions).toEqual([
    { code: 'RequestLimitExceeded', errorType: 'THROTTLING', retried: true },
  ]);
});

test('a throttled read is retried with backoff', async () => {
  // Prepare
  fake.failNext('DescribeSnapshots', THROTTLED);

  // Act
  await guarded().send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));

  // Assess
  expect(fake.count('DescribeSnapshots')).toBe(2);
  expect(retry.decisions).toEqual([
    { code: 'RequestLimitExceeded', errorType: 'THROTTLING', retried: true },
  ]);
});

test('a command that is not listed is left to the SDK: its server error is retried', async () => {
  // Prepare
  fake.seedSnapshot('snap-0a1b2c3d4e5f60001').failNext('DeleteSnapshot', SERVER_ERROR);

  // Act
  await guarded().send(new DeleteSnapshotCommand({ SnapshotId: 'snap-0a1b2c3d4e5f60001' }));

  // Assess
  expect(fake.count('DeleteSnapshot')).toBe(2);
});
