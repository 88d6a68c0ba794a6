import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_STATE_MACHINE_SUBJECT } from '../../../stacks/ebs-snapshot-lifecycle/run';
import { runDefinition as definitionOf } from '../../../stacks/ebs-snapshot-lifecycle/run-workflow';
import { arn, resourceName, WORLD } from '../../support/deployment';
import { IAM_CALLS_DIR, recordIamCalls, type RecordedCall } from '../../support/iam-recorder';
import {
  runDefinition,
  validateDefinition,
  type LambdaHandler,
  type LocalExecution,
} from '../../support/local-sfn';
import { ec2Error } from '../fixtures/create-run';
import {
  CREATE_ENV,
  createResourceTags,
  Ec2World,
  FakeTable,
  RUN_KEY,
  VOLUME_PAGES,
} from '../fixtures/world';

/** The run's state machine, run offline over the real page handler and the EC2/DynamoDB fakes. */
const PAGE_ARN = arn('lambda', `function:${resourceName('ebs-snapshot-create')}`);
const QUEUE_URL = `https://sqs.${WORLD.region}.amazonaws.com/${WORLD.account}/${resourceName('ebs-snapshot-failures')}`;
const DEFINITION = definitionOf({ page: PAGE_ARN, failureQueueUrl: QUEUE_URL });
/** The volume pages, then one page of the set phase (no tagged instance in this world). */
const PAGES_PER_PASS = VOLUME_PAGES.length + 1;

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls('ebs-snapshot-create', [ec2Mock, ddbMock], createResourceTags);
const sqsClient = new SQSClient({});
const sqsMock = mockClient(sqsClient);

const savedEnv = { ...process.env };
let page: LambdaHandler;
let world: Ec2World;

beforeAll(async () => {
  Object.assign(process.env, CREATE_ENV);
  const mod = await import('../../../functions/ebs-snapshot/create.handler');
  page = (event) => mod.handler(event);
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  new FakeTable().install(ddbMock);
  world = new Ec2World().install(ec2Mock);
});

/** The state machine's Lambda invocations, recorded for its role's IAM proof (local-sfn runs them in-process). */
function recordInvokes(exec: LocalExecution): void {
  mkdirSync(IAM_CALLS_DIR, { recursive: true });
  const lines = exec.lambdaCalls.map((call) => {
    const entry: RecordedCall = {
      functionName: RUN_STATE_MACHINE_SUBJECT,
      client: 'LambdaClient',
      command: 'Invoke',
      input: { FunctionName: call.functionArn },
    };
    return JSON.stringify(entry);
  });
  if (lines.length > 0)
    appendFileSync(
      join(IAM_CALLS_DIR, `${RUN_STATE_MACHINE_SUBJECT}.${process.pid}.jsonl`),
      lines.join('\n') + '\n',
    );
}

async function run(): Promise<LocalExecution> {
  const exec = await runDefinition(DEFINITION, {
    input: {
      runKey: RUN_KEY,
      pass: 1,
      totals: { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 },
    },
    lambdas: { [PAGE_ARN]: page },
    sdkClients: { sqs: sqsClient },
    iamSubject: RUN_STATE_MACHINE_SUBJECT,
  });
  recordInvokes(exec);
  return exec;
}

const pageVisits = (exec: LocalExecution) =>
  exec.visitedStates.filter((s) => s === 'SnapshotPage').length;

test('the definition is valid Amazon States Language', () => {
  // Act
  const result = validateDefinition(DEFINITION);

  // Assess
  expect(result.errors).toBe('');
  expect(result.isValid).toBe(true);
});

test('a run goes page after page, one task per page, and snapshots every tagged volume once', async () => {
  // Act
  const exec = await run();

  // Assess
  expect(exec.status).toBe('SUCCEEDED');
  expect(pageVisits(exec)).toBe(PAGES_PER_PASS);
  expect(world.snapshots).toHaveLength(5);
  expect(new Set(world.snapshots.map((s) => s.VolumeId)).size).toBe(5);
  expect(sqsMock.calls()).toHaveLength(0);
});

test('a page whose task fails after its work is retried and resumes: no volume is snapshotted twice', async () => {
  // Prepare: the first invocation snapshots its page, then dies (as on a timeout) before it answers
  let invocations = 0;
  const inner = page;
  page = async (event, context) => {
    invocations += 1;
    const out = await inner(event, context);
    if (invocations === 1) throw new Error('Task timed out after 900.00 seconds');
    return out;
  };

  // Act
  const exec = await run().finally(() => (page = inner));

  // Assess
  expect(exec.status).toBe('SUCCEEDED');
  expect(invocations).toBe(PAGES_PER_PASS + 1);
  expect(world.snapshots).toHaveLength(5);
  expect(new Set(world.snapshots.map((s) => s.VolumeId)).size).toBe(5);
});

test('a volume that fails in pass 1 gets a retry pass and ends snapshotted', async () => {
  // Prepare
  const volumeId = VOLUME_PAGES[0]?.Volumes?.[0]?.VolumeId ?? '';
  world.createFailures.set(volumeId, ec2Error('IncorrectState', 400));
  let creates = 0;
  const inner = page;
  page = async (event, context) => {
    const out = (await inner(event, context)) as { totals: { failed: number } };
    if (++creates === VOLUME_PAGES.length) world.createFailures.clear();
    return out;
  };

  // Act
  const exec = await run().finally(() => (page = inner));

  // Assess
  expect(exec.status).toBe('SUCCEEDED');
  expect(exec.visitedStates).toContain('StartRetryPass');
  expect(world.snapshots.map((s) => s.VolumeId)).toContain(volumeId);
  expect(world.snapshots).toHaveLength(5);
});

test('a volume that fails in both passes ends the run failed, its state in the failure queue', async () => {
  // Prepare
  const volumeId = VOLUME_PAGES[0]?.Volumes?.[0]?.VolumeId ?? '';
  world.createFailures.set(volumeId, ec2Error('IncorrectState', 400));

  // Act
  const exec = await run();

  // Assess
  expect(exec.status).toBe('FAILED');
  expect(exec.error).toBe('SnapshotRunFailed');
  const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
  expect(sent).toHaveLength(1);
  expect(sent[0]?.QueueUrl).toBe(QUEUE_URL);
  expect(JSON.parse(sent[0]?.MessageBody ?? '{}')).toMatchObject({
    runKey: RUN_KEY,
    pass: 2,
    totals: { failed: 1 },
  });
  expect(world.snapshots).toHaveLength(4);
});
