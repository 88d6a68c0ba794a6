import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopySnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { copyClaimKey } from '../../../functions/ebs-snapshot/copy-store';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { metrics } from '../../../functions/shared/metrics';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  COPY_ENV,
  COPY_REGION,
  CopyWorld,
  SOURCE_ID,
  snapshotEvent,
  sourceSnapshot,
  sqsEvent,
  sqsRecord,
} from '../fixtures/copy-world';
import { FakeTable, MANAGED_BY, NOW, tagsOf } from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/copy.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/copy.handler';

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-copy', [ec2Mock, ddbMock], undefined, (command, input) =>
  world.sourceKeyOf(command, input),
);

const savedEnv = { ...process.env };
let handler: Handler;
let world: CopyWorld;
let table: FakeTable;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  Object.assign(process.env, COPY_ENV);
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  world = new CopyWorld().install(ec2Mock);
  table = new FakeTable().install(ddbMock);
  world.in(WORLD.region).push(sourceSnapshot());
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const copyCalls = () => ec2Mock.commandCalls(CopySnapshotCommand);
const metricValues = (spy: jest.SpyInstance) =>
  Object.fromEntries(spy.mock.calls.map(([name, , value]) => [name, value]));

describe('copy handler: a completed snapshot', () => {
  test('is copied into the copy Region, tagged as managed with its own expiry and its source, and recorded there', async () => {
    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [copy] = world.copiesIn(COPY_REGION);
    expect(copyCalls()[0]?.args[0].input).toMatchObject({
      SourceRegion: WORLD.region,
      SourceSnapshotId: SOURCE_ID,
    });
    expect(copyCalls()[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
    const expiresAt = new Date(NOW.getTime() + 14 * DAY_MS).toISOString();
    expect(tagsOf(copy?.Tags)).toEqual({
      [SNAPSHOT_TAGS.managedBy]: MANAGED_BY,
      [SNAPSHOT_TAGS.expiresAt]: expiresAt,
      [SNAPSHOT_TAGS.sourceSnapshot]: SOURCE_ID,
      [SNAPSHOT_TAGS.sourceRegion]: WORLD.region,
      [SNAPSHOT_TAGS.volumeId]: 'vol-0000000000000000a',
      team: 'web',
    });
    expect(table.items.get(`${copy?.SnapshotId}@${COPY_REGION}`)).toEqual(
      expect.objectContaining({
        region: { S: COPY_REGION },
        source_snapshot_id: { S: SOURCE_ID },
        ttl: { N: String(Date.parse(expiresAt) / 1000) },
      }),
    );
  });

  test('a replayed message makes no second copy: the copy is found by its tag', async () => {
    // Prepare
    await handler(sqsEvent(sqsRecord()));
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls()).toHaveLength(1);
    expect(world.copiesIn(COPY_REGION)).toHaveLength(1);
    expect(metricValues(addMetric)).toMatchObject({ CopiesFound: 1, CopiesStarted: 0 });
  });

  test('two deliveries at once make one copy: the other is left for a later delivery', async () => {
    // Act
    const [first, second] = await Promise.all([
      handler(sqsEvent(sqsRecord(snapshotEvent(), 'first'))),
      handler(sqsEvent(sqsRecord(snapshotEvent(), 'second'))),
    ]);

    // Assess
    expect(copyCalls()).toHaveLength(1);
    expect([...first.batchItemFailures, ...second.batchItemFailures]).toHaveLength(1);
  });

  test('a copy made earlier without a record (found by tag) is recorded, not copied again', async () => {
    // Prepare
    world.in(COPY_REGION).push({
      SnapshotId: 'snap-0c0aaaaaaaaaaaaaa',
      State: 'completed',
      Tags: [
        { Key: SNAPSHOT_TAGS.managedBy, Value: MANAGED_BY },
        { Key: SNAPSHOT_TAGS.sourceSnapshot, Value: SOURCE_ID },
        { Key: SNAPSHOT_TAGS.expiresAt, Value: '2026-12-20T00:00:00.000Z' },
      ],
    });

    // Act
    await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(copyCalls()).toHaveLength(0);
    expect(table.items.get(`snap-0c0aaaaaaaaaaaaaa@${COPY_REGION}`)?.ttl).toEqual({
      N: String(Date.parse('2026-12-20T00:00:00.000Z') / 1000),
    });
  });

  test('a fresh claim of another delivery with no copy yet: no copy, retried later', async () => {
    // Prepare
    table.items.set(copyClaimKey(SOURCE_ID, COPY_REGION), {
      snapshot_id: { S: copyClaimKey(SOURCE_ID, COPY_REGION) },
      claimed_at: { N: String(NOW.getTime() / 1000 - 10) },
      claim_attempt: { S: 'other' },
    });
    const record = sqsRecord();

    // Act
    const response = await handler(sqsEvent(record));

    // Assess
    expect(copyCalls()).toHaveLength(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  test('a claim older than the settle time with no copy found is taken over and the copy made', async () => {
    // Prepare
    table.items.set(copyClaimKey(SOURCE_ID, COPY_REGION), {
      snapshot_id: { S: copyClaimKey(SOURCE_ID, COPY_REGION) },
      claimed_at: { N: String(NOW.getTime() / 1000 - 301) },
      claim_attempt: { S: 'crashed' },
    });

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.copiesIn(COPY_REGION)).toHaveLength(1);
  });
});
