import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  claimKey,
  dynamoDbSnapshotStore,
  type ClaimRef,
  type SnapshotStore,
} from '../../../functions/ebs-snapshot/store';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { MemorySnapshotStore } from '../fixtures/memory-store';
import { CREATE_CONFIG, FakeTable, NOW, RUN_KEY } from '../fixtures/world';

const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-create', [ddbMock]);

const STALE = CREATE_CONFIG.claimStaleAfterSeconds;
const VOLUME_ID = 'vol-0a1b2c3d4e5f60001';
const ref = (owner: string): ClaimRef => ({ runKey: RUN_KEY, volumeId: VOLUME_ID, owner });
const after = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const putInputs = () => ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input);

let table: FakeTable;
const dynamoDb = () =>
  dynamoDbSnapshotStore(new DynamoDBClient({ region: WORLD.region }), CREATE_CONFIG);

beforeEach(() => {
  ddbMock.reset();
  table = new FakeTable().install(ddbMock);
});

// The create logic tests use the in-memory store: it must answer claims as DynamoDB's conditions do.
describe.each<[string, () => SnapshotStore]>([
  ['in memory', () => new MemorySnapshotStore(STALE)],
  ['on DynamoDB', dynamoDb],
])('the snapshot store %s', (_name, makeStore) => {
  test('the first claim on a volume is taken', async () => {
    // Act
    const taken = await makeStore().claim(ref('a'), NOW);

    // Assess
    expect(taken).toBe(true);
  });

  test("a live claim turns every claim away until it is stale, its owner's own too", async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const other = await store.claim(ref('b'), after(STALE));
    const own = await store.claim(ref('a'), after(1));

    // Assess
    expect([other, own]).toEqual([false, false]);
  });

  test('a stale claim (its run died) is taken over', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const taken = await store.claim(ref('b'), after(STALE + 1));

    // Assess
    expect(taken).toBe(true);
  });

  test('a released claim is taken at once', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    await store.release(ref('a'), NOW);

    // Assess
    expect(await store.claim(ref('b'), NOW)).toBe(true);
  });

  test('another owner cannot release a claim', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const release = store.release(ref('b'), NOW);

    // Assess
    await expect(release).rejects.toThrow();
    expect(await store.claim(ref('c'), NOW)).toBe(false);
  });
});

describe('the DynamoDB store', () => {
  test('writes a record as one item keyed by snapshot id, its expiry as ttl', async () => {
    // Prepare
    const expiresAt = after(7 * 86_400);
    const record = {
      snapshotId: 'snap-0123456789abcdef0',
      volumeId: VOLUME_ID,
      runKey: RUN_KEY,
      createTime: NOW,
      expiresAt,
      description: 'ops-autopilot snapshot of web-root (vol-0a1b2c3d4e5f60001)',
    };

    // Act
    await dynamoDb().putRecord(record, after(2));

    // Assess
    expect(putInputs()[0]?.TableName).toBe(CREATE_CONFIG.tableName);
    expect(table.items.get(record.snapshotId)).toEqual({
      snapshot_id: { S: record.snapshotId },
      create_time: { S: NOW.toISOString() },
      description: { S: record.description },
      timestamp: { S: after(2).toISOString() },
      ttl: { N: String(expiresAt.getTime() / 1000) },
      volume_id: { S: VOLUME_ID },
      run: { S: RUN_KEY },
    });
  });

  test('claims are conditional PutItems with a ttl', async () => {
    // Act
    await dynamoDb().claim(ref('a'), NOW);

    // Assess
    const claimPut = putInputs()[0];
    expect(claimPut?.Item?.snapshot_id).toEqual({ S: claimKey(RUN_KEY, VOLUME_ID) });
    expect(claimPut?.ConditionExpression).toBe(
      'attribute_not_exists(snapshot_id) OR claimed_at < :stale',
    );
    expect(claimPut?.ExpressionAttributeValues).toEqual({
      ':stale': { N: String(NOW.getTime() / 1000 - STALE) },
    });
    expect(Number(claimPut?.Item?.ttl?.N)).toBeGreaterThan(NOW.getTime() / 1000 + STALE);
  });

  test('a release keeps the claim item, conditioned on its owner, with claimed_at 0', async () => {
    // Prepare
    const store = dynamoDb();
    await store.claim(ref('a'), NOW);

    // Act
    await store.release(ref('a'), NOW);

    // Assess
    expect(putInputs()[1]?.ConditionExpression).toBe('claim_owner = :owner');
    expect(table.claims()[0]).toMatchObject({ claimed_at: { N: '0' }, claim_owner: { S: 'a' } });
  });
});
