/**
 * functions/shared/aws.ts with REAL SDK clients over a fake EC2 HTTP endpoint, so the SDK's retry
 * middleware runs (aws-sdk-client-mock would stub it away).
 */
import { CreateSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, retryAlsoOn } from '../../functions/shared/aws';
import { WORLD } from '../support/deployment';
import {
  FAKE_CREDENTIALS,
  FakeEc2Http,
  FastRecordingRetryStrategy,
} from '../ebs-snapshot-lifecycle/fixtures/fake-ec2-http';

const RATE = {
  status: 400,
  code: 'SnapshotCreationPerVolumeRateExceeded',
  message: 'The maximum per volume CreateSnapshot request rate has been exceeded.',
};
const VOLUME = { VolumeId: 'vol-0a1b2c3d4e5f60001' };

let fake: FakeEc2Http;
let retry: FastRecordingRetryStrategy;
const client = () =>
  new EC2Client({
    ...clientConfig(),
    region: WORLD.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: fake,
    retryStrategy: retry,
  });

beforeEach(() => {
  fake = new FakeEc2Http([], () => new Date('2015-10-08T16:53:07Z'));
  retry = new FastRecordingRetryStrategy(4);
});

describe('clientConfig', () => {
  const saved = process.env.AWS_MAX_ATTEMPTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = saved;
  });

  test('selects the SDK standard retry with 8 attempts by default', () => {
    // Prepare
    delete process.env.AWS_MAX_ATTEMPTS;

    // Act
    const config = clientConfig();

    // Assess
    expect(config).toEqual({ maxAttempts: 8, retryMode: 'standard' });
  });

  test('takes the attempts from AWS_MAX_ATTEMPTS', () => {
    // Prepare
    process.env.AWS_MAX_ATTEMPTS = '3';

    // Act + Assess
    expect(clientConfig().maxAttempts).toBe(3);
  });

  test('a client built with it resolves the standard retry strategy', async () => {
    // Prepare
    const ec2 = new EC2Client({ ...clientConfig(), region: WORLD.region });

    // Act
    const strategy = (await (ec2.config.retryStrategy as () => Promise<{ mode?: string }>)()) ?? {};

    // Assess
    expect(strategy.mode).toBe('standard');
  });
});

describe('retryAlsoOn', () => {
  test('a listed error code is retried as throttling until success', async () => {
    // Prepare
    fake.failNext('CreateSnapshot', RATE, RATE);
    const ec2 = retryAlsoOn(client(), ['SnapshotCreationPerVolumeRateExceeded']);

    // Act
    const out = await ec2.send(new CreateSnapshotCommand(VOLUME));

    // Assess
    expect(out.SnapshotId).toMatch(/^snap-/);
    expect(fake.count('CreateSnapshot')).toBe(3);
    expect(retry.decisions).toEqual([
      { code: 'SnapshotCreationPerVolumeRateExceeded', errorType: 'THROTTLING', retried: true },
      { code: 'SnapshotCreationPerVolumeRateExceeded', errorType: 'THROTTLING', retried: true },
    ]);
  });

  test('without it the same error fails at once (the SDK does not know the code)', async () => {
    // Prepare
    fake.failNext('CreateSnapshot', RATE);
    const ec2 = client();

    // Act
    const send = ec2.send(new CreateSnapshotCommand(VOLUME));

    // Assess
    await expect(send).rejects.toMatchObject({ name: 'SnapshotCreationPerVolumeRateExceeded' });
    expect(fake.count('CreateSnapshot')).toBe(1);
  });

  test('an error code that is not listed is left alone', async () => {
    // Prepare
    fake.failNext('CreateSnapshot', { status: 400, code: 'IncorrectState' });
    const ec2 = retryAlsoOn(client(), ['SnapshotCreationPerVolumeRateExceeded']);

    // Act
    const send = ec2.send(new CreateSnapshotCommand(VOLUME));

    // Assess
    await expect(send).rejects.toMatchObject({ name: 'IncorrectState' });
    expect(fake.count('CreateSnapshot')).toBe(1);
    expect(retry.decisions).toEqual([
      { code: 'IncorrectState', errorType: 'CLIENT_ERROR', retried: false },
    ]);
  });

  test('gives up after the maximum attempts with the named error', async () => {
    // Prepare
    fake.failNext('CreateSnapshot', RATE, RATE, RATE, RATE, RATE);
    const ec2 = retryAlsoOn(client(), ['SnapshotCreationPerVolumeRateExceeded']);

    // Act
    const send = ec2.send(new CreateSnapshotCommand(VOLUME));

    // Assess
    await expect(send).rejects.toMatchObject({
      name: 'SnapshotCreationPerVolumeRateExceeded',
      $metadata: { attempts: 4 },
    });
    expect(fake.count('CreateSnapshot')).toBe(4);
  });

  test('RequestLimitExceeded (HTTP 503) is throttling to the SDK already', async () => {
    // Prepare
    fake.failNext('CreateSnapshot', { status: 503, code: 'RequestLimitExceeded' });
    const ec2 = client();

    // Act
    await ec2.send(new CreateSnapshotCommand(VOLUME));

    // Assess
    expect(retry.decisions).toEqual([
      { code: 'RequestLimitExceeded', errorType: 'THROTTLING', retried: true },
    ]);
  });
});
