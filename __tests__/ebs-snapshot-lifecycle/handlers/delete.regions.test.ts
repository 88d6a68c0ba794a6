import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { COPY_REGION, CopyWorld, OTHER_COPY_REGION, sourceSnapshot } from '../fixtures/copy-world';
import {
  DELETE_ENV,
  deleteResourceTags,
  FakeTable,
  streamEvent,
  ttlRemoveOf,
} from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/delete.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/delete.handler';

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-delete', [ec2Mock, ddbMock], deleteResourceTags);

const savedEnv = { ...process.env };
let handler: Handler;
let world: CopyWorld;
const COPY_ID = 'snap-0c000000000000001';

beforeAll(async () => {
  Object.assign(process.env, DELETE_ENV, { AWS_REGION: WORLD.region });
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  new FakeTable().install(ddbMock);
  world = new CopyWorld().install(ec2Mock);
});

/** The TTL expiry of a copy's record: keyed `<id>@<Region>`, with its Region. */
function copyExpiry(copyId: string, region: string, sequence: string): DynamoDBRecord {
  const record = ttlRemoveOf(`${copyId}@${region}`, sequence);
  (record.dynamodb?.OldImage as Record<string, unknown>).region = { S: region };
  return record;
}

describe('delete handler: snapshots in other Regions', () => {
  test("a copy's expired record deletes the copy in its own Region", async () => {
    // Prepare
    for (const region of [COPY_REGION, OTHER_COPY_REGION, WORLD.region])
      world.in(region).push(sourceSnapshot(COPY_ID));

    // Act
    const response = await handler(
      streamEvent(
        copyExpiry(COPY_ID, COPY_REGION, '1'),
        copyExpiry(COPY_ID, OTHER_COPY_REGION, '4'),
      ),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect([COPY_REGION, OTHER_COPY_REGION].map((r) => world.in(r).length)).toEqual([0, 0]);
    expect(world.in(WORLD.region)).toHaveLength(1);
  });

  test('a record without a Region (every record before copies) deletes in the home Region', async () => {
    // Prepare
    world.in(WORLD.region).push(sourceSnapshot(COPY_ID));

    // Act
    await handler(streamEvent(ttlRemoveOf(COPY_ID, '2')));

    // Assess
    expect(world.in(WORLD.region)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteSnapshotCommand)).toHaveLength(1);
  });

  test('a copy whose delete fails is written back with its key and Region, to be retried in that Region', async () => {
    // Prepare
    const table = new FakeTable().install(ddbMock);
    ec2Mock.on(DeleteSnapshotCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    // Act
    await handler(streamEvent(copyExpiry(COPY_ID, COPY_REGION, '3')));

    // Assess
    expect(table.items.get(`${COPY_ID}@${COPY_REGION}`)).toMatchObject({
      region: { S: COPY_REGION },
      last_delete_outcome: { S: 'failed' },
    });
  });
});
