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
  RUN_KEY,
  VOLUME_PAGES,
} from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/create.handler').handler;
type PageState = import('../../../functions/ebs-snapshot/create.handler').PageState;
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

const firstPage = () => ({
  runKey: RUN_KEY,
  pass: 1,
  totals: { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 },
});

/** Runs the handler page after page, as the state machine does, and returns the last state. */
async function wholeRun(): Promise<PageState> {
  let state: unknown = firstPage();
  for (;;) {
    const next = await handler(state);
    if (!next.pageToken) return next;
    state = next;
  }
}

describe('create handler: a task of the run', () => {
  test('snapshots one page and hands on the next page token and the totals', async () => {
    // Act
    const state = await handler(firstPage());

    // Assess
    expect(state.pageToken).toBe(VOLUME_PAGES[0]?.NextToken);
    expect(state.totals.created).toBe(VOLUME_PAGES[0]?.Volumes?.length);
    expect(state.nextSlotAt).toBeGreaterThan(0);
  });

  test('page after page snapshots every tagged volume; the last state has no page token', async () => {
    // Act
    const last = await wholeRun();

    // Assess
    expect(last).toMatchObject({
      runKey: RUN_KEY,
      pass: 1,
      totals: { volumes: 5, created: 5, skipped: 0, failed: 0, strays: 0 },
    });
    expect(last.pageToken).toBeUndefined();
    expect(world.snapshots).toHaveLength(5);
  });

  test('a replayed run counts every volume as skipped and creates nothing', async () => {
    // Prepare
    await wholeRun();

    // Act
    const replay = await wholeRun();

    // Assess
    expect(replay.totals).toMatchObject({ created: 0, skipped: 5, failed: 0 });
    expect(world.snapshots).toHaveLength(5);
  });

  test('a failed volume is counted, not thrown: the state machine decides after the run', async () => {
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

    // Act
    const last = await wholeRun();

    // Assess
    expect(last.totals).toMatchObject({ created: 4, failed: 1 });
  });

  test('reports each page as one log line and EMF metrics', async () => {
    // Prepare
    const info = jest.spyOn(logger, 'info');
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');

    // Act
    await handler(firstPage());

    // Assess
    expect(info.mock.calls.filter(([msg]) => msg === 'snapshot run finished')).toHaveLength(1);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  test.each<[string, unknown]>([
    ['not an object', 'run now'],
    ['no run key', { pass: 1, totals: firstPage().totals }],
    ['a pass that does not exist', { ...firstPage(), pass: 3 }],
    ['no totals', { runKey: RUN_KEY, pass: 1 }],
  ])(
    'a malformed state (%s) fails with InvalidEventError and makes no AWS call',
    async (_, state) => {
      // Act
      const run = handler(state);

      // Assess
      await expect(run).rejects.toBeInstanceOf(InvalidEventError);
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(ddbMock.calls()).toHaveLength(0);
    },
  );
});

describe('create handler configuration', () => {
  test('defaults TAG_KEY, INSTANCE_TAG_KEY, DEFAULT_RETENTION_DAYS, CONCURRENCY, the rate and CLAIM_SETTLE_SECONDS', () => {
    // Act
    const config = readEnv(CreateEnvSchema, {
      TABLE_NAME: 'snapshots',
      MANAGED_BY: 'ops-autopilot',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'snapshots',
      tagKey: 'Snapshot',
      instanceTagKey: 'SnapshotInstance',
      excludeBootVolume: false,
      defaultRetentionDays: 7,
      managedBy: 'ops-autopilot',
      concurrency: 8,
      maxRequestsPerSecond: 4,
      defaultRetainCount: 0,
      claimSettleSeconds: 60,
      recycleBinExclusionTags: {},
    });
  });

  test.each([
    ['TABLE_NAME missing', { TABLE_NAME: undefined }, /TABLE_NAME/],
    ['MANAGED_BY missing', { MANAGED_BY: undefined }, /MANAGED_BY/],
    ['MANAGED_BY blank', { MANAGED_BY: '  ' }, /MANAGED_BY/],
    ['DEFAULT_RETENTION_DAYS zero', { DEFAULT_RETENTION_DAYS: '0' }, /DEFAULT_RETENTION_DAYS/],
    ['EXCLUDE_BOOT_VOLUME not a bool', { EXCLUDE_BOOT_VOLUME: 'yes' }, /EXCLUDE_BOOT_VOLUME/],
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
