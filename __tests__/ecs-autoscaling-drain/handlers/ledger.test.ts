/**
 * The drain ledger's contract, on the fake table the handler tests use and on DynamoDB as moto emulates it
 * (conditions and ReturnValues as DynamoDB evaluates them), so the fake cannot drift from DynamoDB.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { type DrainLedger, dynamoDbLedger } from '../../../functions/ecs-drain/ledger';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { FAKE_CREDENTIALS } from '../fixtures/fake-http';
import { FakeLedgerTable } from '../fixtures/ledger-table';
import { type Moto, motoCommand, startMoto } from '../fixtures/moto';

const TABLE = 'ops-autopilot-ecs-drain-ledger';
const EXPIRES = 1_900_000_000;
// The handler tests record the ledger's calls; these compare backends.
recordIamCalls('ecs-drain-drain', []);

const moto = motoCommand();
if (!moto) console.warn('ledger contract on moto skipped here: moto_server is not installed');
let server: Moto | undefined;
let onMoto: DrainLedger;

beforeAll(async () => {
  if (!moto) return;
  server = await startMoto(moto);
  // A client of its own, not the mocked prototype: it talks to moto.
  const ddb = new DynamoDBClient({
    region: WORLD.region,
    endpoint: server.endpoint,
    credentials: FAKE_CREDENTIALS,
  });
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'action_token', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'action_token', AttributeType: 'S' }],
    }),
  );
  onMoto = dynamoDbLedger(ddb, TABLE);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

function onFakeTable(): DrainLedger {
  const client = new DynamoDBClient({ region: WORLD.region, credentials: FAKE_CREDENTIALS });
  new FakeLedgerTable().install(mockClient(client));
  return dynamoDbLedger(client, TABLE);
}

const claim = (ledger: DrainLedger, token: string, check: number, owner: string) =>
  ledger.claim({ token, check, owner, expiresAt: EXPIRES });

const backends: Array<[string, () => DrainLedger]> = [['on the fake table', onFakeTable]];
if (moto) backends.push(['on DynamoDB (moto)', () => onMoto]);

describe.each(backends)('the drain ledger %s', (_name, ledgerOf) => {
  let ledger: DrainLedger;
  let token: string;
  beforeEach(() => {
    ledger = ledgerOf();
    token = randomUUID();
  });

  test('the first claim of a drain is taken, with nothing being completed', async () => {
    // Act
    const entry = await claim(ledger, token, 1, 'sns-1');

    // Assess
    expect(entry).toEqual({});
  });

  test("a message's own claim is taken again (redelivery, or a retried claim whose reply was lost)", async () => {
    // Prepare
    await claim(ledger, token, 2, 'm-1');

    // Act
    const again = await claim(ledger, token, 2, 'm-1');

    // Assess
    expect(again).toEqual({});
  });

  test('another message for a held check is refused: one chain', async () => {
    // Prepare
    await claim(ledger, token, 2, 'm-1');

    // Act
    const other = await claim(ledger, token, 2, 'm-2');

    // Assess
    expect(other).toBeUndefined();
  });

  test('a later check is taken, and then an earlier one is refused', async () => {
    // Prepare
    await claim(ledger, token, 2, 'm-1');

    // Act
    const later = await claim(ledger, token, 3, 'm-3');
    const earlier = await claim(ledger, token, 2, 'm-1');

    // Assess
    expect([later, earlier]).toEqual([{}, undefined]);
  });

  test('a claim after markCompleting tells what the chain was completing, and when', async () => {
    // Prepare
    await claim(ledger, token, 1, 'sns-1');
    await ledger.markCompleting(token, 'TimedOut', 1_611_017_000_000);

    // Act
    const entry = await claim(ledger, token, 1, 'sns-1');

    // Assess
    expect(entry).toEqual({ completing: { outcome: 'TimedOut', atMs: 1_611_017_000_000 } });
  });

  test('the outcome is taken once: again by its owner, never by another', async () => {
    // Prepare
    await claim(ledger, token, 1, 'sns-1');

    // Act
    const first = await ledger.takeOutcome(token, 'invocation-a');
    const retried = await ledger.takeOutcome(token, 'invocation-a');
    const other = await ledger.takeOutcome(token, 'invocation-b');

    // Assess
    expect([first, retried, other]).toEqual([true, true, false]);
  });
});
