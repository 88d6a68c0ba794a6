import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteSnapshotCommand,
  DescribeLockedSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { DELETE_METRIC_SPECS, DELETE_METRICS } from '../../../functions/ebs-snapshot/metric-names';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  DELETE_ENV,
  deleteResourceTags,
  FakeTable,
  streamEvent,
  ttlRemoveOf,
} from '../fixtures/world';

/** The delete function's EMF output as CloudWatch reads it from the log (the dashboard graphs these). */

const SERVICE = 'ebs-snapshot-delete';
const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls(SERVICE, [ec2Mock, ddbMock], deleteResourceTags);

type Handler = typeof import('../../../functions/ebs-snapshot/delete.handler').handler;
const savedEnv = { ...process.env };
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, DELETE_ENV);
  enableEmf({ service: SERVICE });
  ({ handler } = await import('../../../functions/ebs-snapshot/delete.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  new FakeTable().install(ddbMock);
  ec2Mock.on(DeleteSnapshotCommand).resolves({});
  ec2Mock.on(DescribeLockedSnapshotsCommand).resolves({ Snapshots: [] });
});

const inUse = new EC2ServiceException({
  name: 'InvalidSnapshot.InUse',
  $fault: 'client',
  $metadata: { httpStatusCode: 400 },
  message: 'InvalidSnapshot.InUse (test)',
});
const failed = new EC2ServiceException({
  name: 'InternalError',
  $fault: 'server',
  $metadata: { httpStatusCode: 500 },
  message: 'InternalError (test)',
});

describe('delete EMF metrics', () => {
  test('one document per batch: deleted, failed, in use and locked, namespace OpsAutopilot, dimension service only', async () => {
    // Prepare: one deleted, one still used by an AMI, one failing.
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-00000000000000002' }).rejects(inUse);
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-00000000000000003' }).rejects(failed);
    const event = streamEvent(
      ttlRemoveOf('snap-00000000000000001', '100'),
      ttlRemoveOf('snap-00000000000000002', '200'),
      ttlRemoveOf('snap-00000000000000003', '300'),
    );

    // Act
    const { metrics } = await captureEmf(() => handler(event));

    // Assess
    expect(metrics).toEqual(
      [
        [DELETE_METRICS.deleted, 1],
        [DELETE_METRICS.deleteFailed, 1],
        [DELETE_METRICS.inUse, 1],
        [DELETE_METRICS.locked, 0],
      ].map(([name, value]) => ({
        namespace: 'OpsAutopilot',
        name,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value,
      })),
    );
  });

  test('emits exactly the metrics functions/ebs-snapshot/metric-names.ts declares for delete', async () => {
    // Act
    const { metrics } = await captureEmf(() =>
      handler(streamEvent(ttlRemoveOf('snap-00000000000000001', '100'))),
    );

    // Assess
    expect(distinctSpecs(metrics.map(specOf))).toEqual(distinctSpecs(DELETE_METRIC_SPECS));
  });
});
