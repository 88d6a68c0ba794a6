import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopySnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { copyClaimKey } from '../../../functions/ebs-snapshot/copy-store';
import { OutcomeUnknownError } from '../../../functions/ebs-snapshot/errors';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { metrics } from '../../../functions/shared/metrics';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  COPY_ENV,
  COPY_REGION,
  CopyWorld,
  KEY_ARN,
  limitExceeded,
  OTHER_COPY_REGION,
  SOURCE_ID,
  SOURCE_KEY_ARN,
  setSnapshotsEvent,
  snapshotEvent,
  sourceSnapshot,
  sqsEvent,
  sqsRecord,
} from '../fixtures/copy-world';
import { FakeTable, NOW } from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/copy.handler').handler;
const HANDLER = '../../../functions/ebs-snapshot/copy.handler';

const OTHER_KEY_ARN = KEY_ARN.replace(COPY_REGION, OTHER_COPY_REGION);
const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-copy', [ec2Mock, ddbMock], undefined, (command, input) =>
  world.sourceKeyOf(command, input),
);

const savedEnv = { ...process.env };
let handler: Handler;
let world: CopyWorld;
let table: FakeTable;

beforeAll(async () => {
  Object.assign(process.env, {
    ...COPY_ENV,
    COPY_REGIONS: JSON.stringify([COPY_REGION, OTHER_COPY_REGION]),
    COPY_KMS_KEY_ARNS: JSON.stringify({
      [COPY_REGION]: KEY_ARN,
      [OTHER_COPY_REGION]: OTHER_KEY_ARN,
    }),
  });
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

describe('copy handler: faults and options', () => {
  test('a Region with a KMS key gets an encrypted copy under its own key', async () => {
    // Act
    await handler(sqsEvent(sqsRecord()));

    // Assess
    const inputs = copyCalls().map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.Encrypted, i.KmsKeyId])).toEqual([
      [true, KEY_ARN],
      [true, OTHER_KEY_ARN],
    ]);
    expect(world.copiesIn(OTHER_COPY_REGION)[0]?.KmsKeyId).toBe(OTHER_KEY_ARN);
  });

  test('a source under a customer managed key of the home Region is copied, each copy under its Region key', async () => {
    // Prepare
    world.in(WORLD.region).splice(0, 1, {
      ...sourceSnapshot(),
      Encrypted: true,
      KmsKeyId: SOURCE_KEY_ARN,
    });

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(
      copyCalls().map((c) => [c.args[0].input.SourceSnapshotId, c.args[0].input.KmsKeyId]),
    ).toEqual([
      [SOURCE_ID, KEY_ARN],
      [SOURCE_ID, OTHER_KEY_ARN],
    ]);
    expect(world.sourceKeyOf('CopySnapshot', copyCalls()[0]?.args[0].input)).toBe(SOURCE_KEY_ARN);
  });

  test('the source deleted meanwhile: counted, not copied, not retried', async () => {
    // Prepare
    world.in(WORLD.region).length = 0;
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls()).toHaveLength(0);
    expect(metricValues(addMetric)).toMatchObject({ CopySourceGone: 1, CopiesFailed: 0 });
  });

  test('the copy limit (ResourceLimitExceeded): retried later, claim released, the other Region copied', async () => {
    // Prepare
    world.copyFailures.set(COPY_REGION, limitExceeded());
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const record = sqsRecord();

    // Act
    const response = await handler(sqsEvent(record));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(metricValues(addMetric)).toMatchObject({ CopiesRetried: 1, CopiesStarted: 1 });
    expect(table.items.get(copyClaimKey(SOURCE_ID, COPY_REGION))?.claimed_at).toEqual({ N: '0' });
    expect(world.copiesIn(OTHER_COPY_REGION)).toHaveLength(1);
  });

  test('after the limit clears, the next delivery copies into that Region only', async () => {
    // Prepare
    world.copyFailures.set(COPY_REGION, limitExceeded());
    await handler(sqsEvent(sqsRecord()));
    world.copyFailures.clear();

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.copiesIn(COPY_REGION)).toHaveLength(1);
    expect(world.copiesIn(OTHER_COPY_REGION)).toHaveLength(1);
  });

  test('an unknown outcome keeps the claim, so a retry before the settle time makes no second copy', async () => {
    // Prepare
    world.copyFailures.set(
      COPY_REGION,
      new OutcomeUnknownError('CopySnapshot may have been applied', {}),
    );
    const record = sqsRecord();
    await handler(sqsEvent(record));
    world.copyFailures.clear();

    // Act
    const response = await handler(sqsEvent(record));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(world.copiesIn(COPY_REGION)).toHaveLength(0);
    expect(copyCalls().filter((c) => c.args[0].input.KmsKeyId === KEY_ARN)).toHaveLength(1);
  });

  test('another refusal (e.g. access denied) is a failure: metric, retried, claim released', async () => {
    // Prepare
    world.copyFailures.set(
      COPY_REGION,
      Object.assign(new Error('not authorized'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(metricValues(addMetric)).toMatchObject({ CopiesFailed: 1 });
    expect(table.items.get(copyClaimKey(SOURCE_ID, COPY_REGION))?.claimed_at).toEqual({ N: '0' });
  });

  test('a snapshot another tool made (no managed-by tag of ours) is ignored before any copy', async () => {
    // Prepare
    world.in(WORLD.region)[0] = { SnapshotId: SOURCE_ID, State: 'completed', Tags: [] };
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls()).toHaveLength(0);
    expect(metricValues(addMetric)).toMatchObject({ CopiesIgnored: 1 });
  });

  test('a crash-consistent set (createSnapshots) copies each completed member', async () => {
    // Prepare
    world
      .in(WORLD.region)
      .push(
        sourceSnapshot('snap-0000000000000000b', [{ Key: SNAPSHOT_TAGS.setId, Value: 'run/i-1' }]),
        sourceSnapshot('snap-0000000000000000c'),
      );

    // Act
    await handler(sqsEvent(sqsRecord(setSnapshotsEvent())));

    // Assess
    expect(
      world
        .copiesIn(COPY_REGION)
        .map((s) => s.Tags?.find((t) => t.Key === SNAPSHOT_TAGS.sourceSnapshot)?.Value),
    ).toEqual(['snap-0000000000000000b', 'snap-0000000000000000c']);
  });

  test('a failed result, and a body that is no snapshot event, copy nothing; the bad one is a batch item failure', async () => {
    // Prepare
    const failed = snapshotEvent();
    failed.detail.result = 'failed';
    const bad = sqsRecord();
    bad.body = '{"source":"aws.ec2","detail-type":"EBS Volume Notification"}';

    // Act
    const response = await handler(sqsEvent(sqsRecord(failed), bad));

    // Assess
    expect(copyCalls()).toHaveLength(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
  });
});
