import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteSnapshotCommand,
  DescribeLockedSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
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
  FakeTable,
  streamEvent,
  streamRecords,
  ttlRemoveOf,
} from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/delete.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/delete.handler';

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-delete', [ec2Mock, ddbMock], deleteResourceTags);

const savedEnv = { ...process.env };
let handler: Handler;
let table: FakeTable;

beforeAll(async () => {
  Object.assign(process.env, DELETE_ENV);
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  table = new FakeTable().install(ddbMock);
  ec2Mock.on(DeleteSnapshotCommand).resolves({});
  ec2Mock.on(DescribeLockedSnapshotsCommand).resolves({ Snapshots: [] });
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
      SnapshotsLocked: 0,
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

  test('a snapshot in use by an AMI is reported (error log, SnapshotsInUse) and its record written back', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('InvalidSnapshot.InUse'));
    const record = streamRecords.ttlRemove();
    const error = jest.spyOn(logger, 'error');
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(record));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('written back'),
      expect.objectContaining({ snapshotId: 'snap-0123456789abcdef0', outcome: 'in-use' }),
    );
    expect(table.items.get('snap-0123456789abcdef0')).toMatchObject({
      delete_attempts: { N: '1' },
      last_delete_outcome: { S: 'in-use' },
    });
    expect(metricValues(addMetric)).toEqual({
      SnapshotsDeleted: 0,
      SnapshotsDeleteFailed: 0,
      SnapshotsInUse: 1,
      SnapshotsLocked: 0,
    });
    expect(sequenceOf(record)).toBeDefined();
  });

  test('in a batch where one delete fails, that record is written back and counted; the others deleted', async () => {
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
    expect(response).toEqual({ batchItemFailures: [] });
    expect(table.records().map((r) => r.snapshot_id?.S)).toEqual(['snap-00000000000000002']);
    expect(deletedIds()).toEqual([
      'snap-00000000000000001',
      'snap-00000000000000002',
      'snap-00000000000000003',
    ]);
    expect(metricValues(addMetric)).toEqual({
      SnapshotsDeleted: 2,
      SnapshotsDeleteFailed: 1,
      SnapshotsInUse: 0,
      SnapshotsLocked: 0,
    });
  });

  test('a batch in which every delete and write-back fails returns them all instead of throwing', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('UnauthorizedOperation', 403));
    table.failPut = () => new Error('table unavailable');
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

describe('delete handler: locked snapshots', () => {
  test('a locked snapshot is its own outcome: kept, its record written back to expire with the lock', async () => {
    // Prepare
    const lockExpiresOn = new Date('2030-01-01T00:00:00Z');
    ec2Mock.on(DeleteSnapshotCommand).rejects(ec2Error('SnapshotLocked'));
    ec2Mock.on(DescribeLockedSnapshotsCommand).resolves({
      Snapshots: [
        {
          SnapshotId: 'snap-0123456789abcdef0',
          LockState: 'compliance',
          LockExpiresOn: lockExpiresOn,
        },
      ],
    });
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(streamEvent(streamRecords.ttlRemove()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(table.items.get('snap-0123456789abcdef0')?.ttl).toEqual({
      N: String(lockExpiresOn.getTime() / 1000),
    });
    expect(metricValues(addMetric)).toMatchObject({ SnapshotsLocked: 1, SnapshotsDeleteFailed: 0 });
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
    expect(config).toEqual({ managedBy: DELETE_ENV.MANAGED_BY, tableName: DELETE_ENV.TABLE_NAME });
  });

  test.each([
    ['missing', { TABLE_NAME: 't' }],
    ['blank', { MANAGED_BY: '', TABLE_NAME: 't' }],
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
