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

const VOLUME_ID = 'vol-0a1b2c3d4e5f60001';
const ref = (attempt: string): ClaimRef => ({ runKey: RUN_KEY, volumeId: VOLUME_ID, attempt });
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
  ['in memory', () => new MemorySnapshotStore()],
  ['on DynamoDB', dynamoDb],
])('the snapshot store %s', (_name, makeStore) => {
  test('the first claim on a volume is taken', async () => {
    // Act
    const taken = await makeStore().claim(ref('a'), NOW);

    // Assess
    expect(taken).toEqual({ taken: true });
  });

  test("another attempt's claim is refused, naming its attempt and time", async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const other = await store.claim(ref('b'), after(3600));

    // Assess
    expect(other).toEqual({ taken: false, attempt: 'a', claimedAt: NOW });
  });

  test('an attempt claiming again (a retried PutItem) finds its own claim taken', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const again = await store.claim(ref('a'), after(1));

    // Assess
    expect(again).toEqual({ taken: true });
  });

  test('a released claim is taken at once', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    await store.release(ref('a'), NOW);

    // Assess
    expect(await store.claim(ref('b'), NOW)).toEqual({ taken: true });
  });

  test('a claim is taken over only from the attempt that holds it', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const wrong = await store.takeOver(ref('c'), 'b', after(60));
    const right = await store.takeOver(ref('b'), 'a', after(60));

    // Assess
    expect([wrong, right]).toEqual([false, true]);
    expect(await store.claim(ref('a'), after(61))).toMatchObject({ taken: false, attempt: 'b' });
  });

  test('another attempt cannot release a claim', async () => {
    // Prepare
    const store = makeStore();
    await store.claim(ref('a'), NOW);

    // Act
    const release = store.release(ref('b'), NOW);

    // Assess
    await expect(release).rejects.toThrow();
    expect(await store.claim(ref('c'), NOW)).toMatchObject({ taken: false });
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

  test('claims are conditional PutItems returning the holder on refusal, with a ttl', async () => {
    // Act
    await dynamoDb().claim(ref('a'), NOW);

    // Assess
    const claimPut = putInputs()[0];
    expect(claimPut?.Item?.snapshot_id).toEqual({ S: claimKey(RUN_KEY, VOLUME_ID) });
    expect(claimPut?.ConditionExpression).toBe(
      'attribute_not_exists(snapshot_id) OR claim_attempt = :attempt OR claimed_at = :released',
    );
    expect(claimPut?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(Number(claimPut?.Item?.ttl?.N)).toBeGreaterThan(NOW.getTime() / 1000);
  });

  test('a release keeps the claim item, conditioned on its attempt, with claimed_at 0', async () => {
    // Prepare
    const store = dynamoDb();
    await store.claim(ref('a'), NOW);

    // Act
    await store.release(ref('a'), NOW);

    // Assess
    expect(putInputs()[1]?.ConditionExpression).toBe('claim_attempt = :attempt');
    expect(table.claims()[0]).toMatchObject({ claimed_at: { N: '0' }, claim_attempt: { S: 'a' } });
  });
});
