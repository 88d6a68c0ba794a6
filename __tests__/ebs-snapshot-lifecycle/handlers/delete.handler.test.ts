import { DeleteSnapshotCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteEnvSchema } from '../../../functions/ebs-snapshot/config';
import { readEnv } from '../../../functions/shared/env';
import { ConfigError, InvalidEventError } from '../../../functions/shared/errors';
import { logger } from '../../../functions/shared/logger';
import { metrics } from '../../../functions/shared/metrics';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  DELETE_ENV,
  deleteResourceTags,
  streamEvent,
  streamRecords,
  ttlRemoveOf,
} from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/delete.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/delete.handler';

const ec2Mock = mockClient(EC2Client);
recordIamCalls('ebs-snapshot-delete', [ec2Mock], deleteResourceTags);

const savedEnv = { ...process.env };
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, DELETE_ENV);
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DeleteSnapshotCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

const ec2Error = (name: string, status = 400) =>
  new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} (test)`,
  });
const deletedIds = () =>
  ec2Mock.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId);
const metricValues = (spy: jest.SpyInstance) =>
  Object.fromEntries(spy.mock.calls.map(([name, , value]) => [name, value]));
const sequenceOf = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber;

describe('delete handler: TTL expiries', () => {
  test('deletes the snapshot of an expired record', async () => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(streamRecords.ttlRemove()));

    // Assess
    expect(deletedIds()).toEqual(['snap-0123456789abcdef0']);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metricValues(addMetric)).toEqual({
      SnapshotsDeleted: 1,
      SnapshotsDeleteFailed: 0,
      SnapshotsInUse: 0,
    });
  });

  test('a snapshot that is already gone (InvalidSnapshot.NotFound) counts as done', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('InvalidSnapshot.NotFound'));
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(streamRecords.ttlRemove()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deletedIds()).toHaveLength(1);
    expect(metricValues(addMetric)).toMatchObject({ SnapshotsDeleteFailed: 0, SnapshotsInUse: 0 });
  });

  test('a snapshot in use by an AMI is reported: error log, SnapshotsInUse, batch item failure', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('InvalidSnapshot.InUse'));
    const record = streamRecords.ttlRemove();
    const error = jest.spyOn(logger, 'error');
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(record));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(record) }] });
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('in use'),
      expect.objectContaining({ snapshotId: 'snap-0123456789abcdef0' }),
    );
    expect(metricValues(addMetric)).toEqual({
      SnapshotsDeleted: 0,
      SnapshotsDeleteFailed: 0,
      SnapshotsInUse: 1,
    });
  });

  test('in a batch where one delete fails, only that record is reported', async () => {
    // Prepare
    const records = [
      ttlRemoveOf('snap-00000000000000001', '100'),
      ttlRemoveOf('snap-00000000000000002', '200'),
      ttlRemoveOf('snap-00000000000000003', '300'),
    ];
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-00000000000000002' })
      .rejects(ec2Error('InternalError', 500));
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(...records));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(deletedIds()).toEqual([
      'snap-00000000000000001',
      'snap-00000000000000002',
      'snap-00000000000000003',
    ]);
    expect(metricValues(addMetric)).toEqual({
      SnapshotsDeleted: 2,
      SnapshotsDeleteFailed: 1,
      SnapshotsInUse: 0,
    });
  });

  test('a batch in which every record fails returns them all instead of throwing', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('UnauthorizedOperation', 403));
    const records = [
      ttlRemoveOf('snap-00000000000000001', '100'),
      ttlRemoveOf('snap-00000000000000002', '200'),
    ];

    // Act
    const response = await handler(streamEvent(...records));

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '200' }],
    });
  });
});

describe('delete handler: records that are not TTL expiries of a snapshot record', () => {
  test.each<[string, () => DynamoDBRecord]>([
    ['a manual REMOVE (no userIdentity)', streamRecords.manualRemove],
    ['an INSERT', streamRecords.insert],
    ['a MODIFY', streamRecords.modify],
    ['the TTL expiry of a claim item', streamRecords.claimExpiry],
  ])('%s is ignored with a log line', async (_, make) => {
    // Prepare
    const record = make();
    const info = jest.spyOn(logger, 'info');

    // Act
    const response = await handler(streamEvent(record));

    // Assess
    expect(deletedIds()).toHaveLength(0);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(info).toHaveBeenCalledWith(
      'stream record ignored',
      expect.objectContaining({ eventID: record.eventID }),
    );
  });

  test('in a mixed batch only the TTL expiry of a snapshot record deletes', async () => {
    // Act
    await handler(
      streamEvent(
        streamRecords.insert(),
        streamRecords.manualRemove(),
        streamRecords.ttlRemove(),
        streamRecords.claimExpiry(),
        streamRecords.modify(),
      ),
    );

    // Assess
    expect(deletedIds()).toEqual(['snap-0123456789abcdef0']);
  });
});

describe('delete handler: one bad record is one failure', () => {
  test.each<[string, (r: DynamoDBRecord) => DynamoDBRecord]>([
    ['from another event source', (r) => ({ ...r, eventSource: 'aws:sqs' })],
    ['without its keys', (r) => ({ ...r, dynamodb: { ...r.dynamodb, Keys: undefined } })],
    ['with an unknown event name', (r) => ({ ...r, eventName: 'PURGE' as never })],
  ])('a record %s is the only batch item failure; the others are processed', async (_, breakIt) => {
    // Prepare
    const bad = breakIt(ttlRemoveOf('snap-00000000000000002', '200'));
    const records = [
      ttlRemoveOf('snap-00000000000000001', '100'),
      bad,
      ttlRemoveOf('snap-00000000000000003', '300'),
    ];
    const error = jest.spyOn(logger, 'error');

    // Act
    const response = await handler(streamEvent(...records));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(deletedIds()).toEqual(['snap-00000000000000001', 'snap-00000000000000003']);
    expect(error).toHaveBeenCalled();
  });
});

describe('delete handler: malformed events', () => {
  test.each<[string, () => unknown]>([
    ['null', () => null],
    ['no Records', () => ({})],
    ['Records not a list', () => ({ Records: 'snap-0123456789abcdef0' })],
    [
      'a record without a sequence number',
      () => {
        const record = streamRecords.ttlRemove();
        delete (record.dynamodb as Record<string, unknown>).SequenceNumber;
        return streamEvent(record);
      },
    ],
  ])('%s fails with InvalidEventError and makes no AWS call', async (_, make) => {
    // Act
    const run = handler(make());

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidEventError);
    await expect(run).rejects.toThrow(/expected a DynamoDB stream event/);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('delete handler configuration', () => {
  test('reads MANAGED_BY', () => {
    // Act
    const config = readEnv(DeleteEnvSchema, { ...DELETE_ENV });

    // Assess
    expect(config).toEqual({ managedBy: DELETE_ENV.MANAGED_BY });
  });

  test.each([
    ['missing', {}],
    ['blank', { MANAGED_BY: '' }],
  ])('MANAGED_BY %s is a ConfigError naming it', (_, env) => {
    // Act
    const read = () => readEnv(DeleteEnvSchema, env);

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/MANAGED_BY/);
  });

  test('the handler module fails fast at load on a bad environment', async () => {
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
