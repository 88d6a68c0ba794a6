import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateEnvSchema } from '../../../functions/ebs-snapshot/config';
import { readEnv } from '../../../functions/shared/env';
import { ConfigError, InvalidEventError } from '../../../functions/shared/errors';
import { logger } from '../../../functions/shared/logger';
import { metrics } from '../../../functions/shared/metrics';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  CREATE_ENV,
  createResourceTags,
  Ec2World,
  FakeTable,
  scheduledEvent,
} from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/create.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/create.handler';

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-create', [ec2Mock, ddbMock], createResourceTags);

const savedEnv = { ...process.env };
let handler: Handler;
let world: Ec2World;

beforeAll(async () => {
  Object.assign(process.env, CREATE_ENV);
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  new FakeTable().install(ddbMock);
  world = new Ec2World().install(ec2Mock);
});
afterEach(() => jest.restoreAllMocks());

const metricValues = (spy: jest.SpyInstance) =>
  Object.fromEntries(spy.mock.calls.map(([name, , value]) => [name, value]));

describe('create handler', () => {
  test('snapshots the tagged volumes and returns the counts', async () => {
    // Act
    const counts = await handler(scheduledEvent());

    // Assess
    expect(counts).toEqual({ volumes: 5, created: 5, skipped: 0, failed: 0 });
    expect(world.snapshots).toHaveLength(5);
  });

  test('reports the counts as one log line and EMF metrics', async () => {
    // Prepare
    const info = jest.spyOn(logger, 'info');
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');

    // Act
    await handler(scheduledEvent());

    // Assess
    const lines = info.mock.calls.filter(([msg]) => msg === 'snapshot run finished');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[1]).toMatchObject({
      runKey: '2015-10-08T16:53:06Z',
      volumes: 5,
      created: 5,
      skipped: 0,
      failed: 0,
    });
    expect(metricValues(addMetric)).toEqual({
      SnapshotsCreated: 5,
      SnapshotsSkipped: 0,
      SnapshotsFailed: 0,
      SnapshotsStray: 0,
    });
    expect(publish).toHaveBeenCalledTimes(1);
  });

  test('a replayed event counts every volume as skipped', async () => {
    // Prepare
    await handler(scheduledEvent());
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const counts = await handler(scheduledEvent());

    // Assess
    expect(counts).toEqual({ volumes: 5, created: 0, skipped: 5, failed: 0 });
    expect(metricValues(addMetric)).toEqual({
      SnapshotsCreated: 0,
      SnapshotsSkipped: 5,
      SnapshotsFailed: 0,
      SnapshotsStray: 0,
    });
    expect(world.snapshots).toHaveLength(5);
  });

  test('throws a named error after reporting when a volume failed', async () => {
    // Prepare
    world.createFailures.set(
      'vol-0a1b2c3d4e5f60003',
      new EC2ServiceException({
        name: 'IncorrectState',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'volume is busy',
      }),
    );
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const run = handler(scheduledEvent());

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'SnapshotRunFailedError',
      message: expect.stringContaining('1 of 5 volumes failed') as unknown,
    });
    expect(metricValues(addMetric)).toEqual({
      SnapshotsCreated: 4,
      SnapshotsSkipped: 0,
      SnapshotsFailed: 1,
      SnapshotsStray: 0,
    });
    expect(world.snapshots).toHaveLength(4);
  });

  test.each<[string, (e: Record<string, unknown>) => unknown]>([
    ['not an object', () => 'run now'],
    ['null', () => null],
    ['no time', (e) => ({ ...e, time: undefined })],
    ['a time that is not ISO-8601', (e) => ({ ...e, time: 'yesterday' })],
    [
      'another detail-type',
      (e) => ({ ...e, 'detail-type': 'EC2 Instance State-change Notification' }),
    ],
    ['another source', (e) => ({ ...e, source: 'aws.ec2' })],
    ['no resources', (e) => ({ ...e, resources: undefined })],
  ])(
    'a malformed event (%s) fails with InvalidEventError and makes no AWS call',
    async (_, mutate) => {
      // Prepare
      const event = mutate(scheduledEvent());

      // Act
      const run = handler(event);

      // Assess
      await expect(run).rejects.toBeInstanceOf(InvalidEventError);
      await expect(run).rejects.toThrow(/expected an EventBridge Scheduled Event/);
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(ddbMock.calls()).toHaveLength(0);
    },
  );
});

describe('create handler: only its own schedule', () => {
  test('a scheduled event of another rule makes no AWS call and fails naming both rules', async () => {
    // Prepare
    const event = {
      ...scheduledEvent(),
      resources: ['arn:aws:events:us-east-1:123456789012:rule/ops-autopilot-capacity-schedule'],
    };

    // Act
    const run = handler(event);

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ForeignScheduleError',
      message: expect.stringContaining('ops-autopilot-ebs-snapshot-schedule') as unknown,
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(ddbMock.calls()).toHaveLength(0);
  });
});

describe('create handler configuration', () => {
  test('defaults TAG_KEY, DEFAULT_RETENTION_DAYS, CONCURRENCY, the rate and CLAIM_SETTLE_SECONDS', () => {
    // Act
    const config = readEnv(CreateEnvSchema, {
      TABLE_NAME: 'snapshots',
      MANAGED_BY: 'ops-autopilot',
      SCHEDULE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/own',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'snapshots',
      tagKey: 'Snapshot',
      defaultRetentionDays: 7,
      managedBy: 'ops-autopilot',
      concurrency: 8,
      maxRequestsPerSecond: 4,
      claimSettleSeconds: 60,
      scheduleRuleArn: 'arn:aws:events:us-east-1:123456789012:rule/own',
      recycleBinExclusionTags: {},
    });
  });

  test.each([
    ['TABLE_NAME missing', { TABLE_NAME: undefined }, /TABLE_NAME/],
    ['MANAGED_BY missing', { MANAGED_BY: undefined }, /MANAGED_BY/],
    ['MANAGED_BY blank', { MANAGED_BY: '  ' }, /MANAGED_BY/],
    ['DEFAULT_RETENTION_DAYS zero', { DEFAULT_RETENTION_DAYS: '0' }, /DEFAULT_RETENTION_DAYS/],
    [
      'DEFAULT_RETENTION_DAYS fractional',
      { DEFAULT_RETENTION_DAYS: '1.5' },
      /DEFAULT_RETENTION_DAYS/,
    ],
    [
      'DEFAULT_RETENTION_DAYS not a number',
      { DEFAULT_RETENTION_DAYS: 'week' },
      /DEFAULT_RETENTION_DAYS/,
    ],
    ['CONCURRENCY zero', { CONCURRENCY: '0' }, /CONCURRENCY/],
    ['CLAIM_SETTLE_SECONDS negative', { CLAIM_SETTLE_SECONDS: '-1' }, /CLAIM_SETTLE_SECONDS/],
    ['SCHEDULE_RULE_ARN missing', { SCHEDULE_RULE_ARN: undefined }, /SCHEDULE_RULE_ARN/],
    ['MAX_REQUESTS_PER_SECOND zero', { MAX_REQUESTS_PER_SECOND: '0' }, /MAX_REQUESTS_PER_SECOND/],
  ])('%s is a ConfigError naming the key', (_, change, named) => {
    // Prepare
    const env = { ...CREATE_ENV, ...change };

    // Act
    const read = () => readEnv(CreateEnvSchema, env);

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(named);
  });

  test('the handler module fails fast at load on a bad environment, before any client exists', async () => {
    // Prepare
    const env = { ...process.env };
    delete process.env.MANAGED_BY;
    let thrown: unknown;

    // Act
    await jest.isolateModulesAsync(async () => {
      try {
        await import(HANDLER);
      } catch (error) {
        thrown = error;
      }
    });
    process.env = env;

    // Assess
    expect(thrown).toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('MANAGED_BY') as unknown,
    });
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
