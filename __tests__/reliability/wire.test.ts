import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AnswerBook } from './harness/answers';
import { Wire } from './harness/wire';
import { useHarnessEnvironment } from './harness/environment';

useHarnessEnvironment();
// Created before the wire is installed, as handler modules create theirs.
const ec2 = new EC2Client({ maxAttempts: 3 });
const ddb = new DynamoDBClient({ maxAttempts: 3 });

let wire: Wire;
let puts: number;
beforeEach(() => {
  puts = 0;
  const ec2World = new AnswerBook();
  ec2World.on(DescribeVolumesCommand).callsFake(() => ({
    Volumes: [{ VolumeId: 'vol-1', CreateTime: new Date(0) }],
  }));
  const table = new AnswerBook();
  table.on(PutItemCommand).callsFake(() => {
    puts += 1;
    if (puts > 1)
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
    return {};
  });
  wire = new Wire().serve(EC2Client, ec2World).serve(DynamoDBClient, table).install();
});
afterEach(() => wire.uninstall());

const describeVolumes = () => ec2.send(new DescribeVolumesCommand({}));
const put = () => ddb.send(new PutItemCommand({ TableName: 't', Item: { k: { S: 'v' } } }));

test('answers from the world in SDK shapes, Dates included', async () => {
  const out = await describeVolumes();
  expect(out.Volumes?.[0]?.VolumeId).toBe('vol-1');
  expect(out.Volumes?.[0]?.CreateTime?.getTime()).toBe(0);
});

test('names each call by where its send was written', async () => {
  await describeVolumes();
  expect(wire.calls[0]?.site).toMatch(/^EC2Client\.DescribeVolumes@/);
});

test.each(['throttle', 'server-error', 'timeout'] as const)(
  'a %s on the first attempt is retried by the SDK and changes nothing',
  async (kind) => {
    wire.plan = { site: '', occurrence: 1, kind, mode: 'first-attempt' };
    await put(); // learn the site
    wire.plan = { ...wire.plan, site: wire.calls[0]?.site ?? '', occurrence: 2 };
    puts = 0;

    await expect(put()).resolves.toBeDefined();

    expect(wire.fired).toBe(true);
    expect(wire.calls[1]?.attempts).toBe(2);
    expect(puts).toBe(1);
  },
);

test('a lost reply applies the write, and the SDK retry meets its own write', async () => {
  await describeVolumes();
  wire.plan = { site: '', occurrence: 1, kind: 'lost-reply', mode: 'first-attempt' };
  const site = await put().then(() => wire.calls[1]?.site ?? '');
  puts = 0;
  wire.plan = { site, occurrence: 2, kind: 'lost-reply', mode: 'first-attempt' };

  const error = await put().catch((e: unknown) => e);

  expect(error).toBeInstanceOf(ConditionalCheckFailedException);
  expect(puts).toBe(2);
});

test('every attempt failing ends in the service error after the maximum attempts', async () => {
  await describeVolumes();
  wire.plan = {
    site: wire.calls[0]?.site ?? '',
    occurrence: 2,
    kind: 'throttle',
    mode: 'every-attempt',
  };

  const error = await describeVolumes().catch((e: unknown) => e);

  expect(error).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { attempts: 3 } });
});

test('a refused conditional write carries the item that failed it (ReturnValuesOnConditionCheckFailure)', async () => {
  // Prepare: DynamoDB returns the item in the error body when asked ALL_OLD
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
  const held = { k: { S: 'v' }, owner: { S: 'another' } };
  const table = new AnswerBook();
  table.on(PutItemCommand).callsFake(() => {
    throw new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
      Item: held,
    });
  });
  wire.serve(DynamoDBClient, table);

  // Act
  const error = await put().catch((e: unknown) => e);

  // Assess
  expect(error).toBeInstanceOf(ConditionalCheckFailedException);
  expect((error as ConditionalCheckFailedException).Item).toEqual(held);
});
