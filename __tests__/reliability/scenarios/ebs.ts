import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteSnapshotCommand,
  DescribeLockedSnapshotsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
  type DeleteSnapshotCommandInput,
  type DescribeSnapshotsCommandInput,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { RUN_STATE_MACHINE_SUBJECT } from '../../../stacks/ebs-snapshot-lifecycle/run';
import { RETRY_PASS_SETTLE_SECONDS } from '../../../stacks/ebs-snapshot-lifecycle/run-workflow';
import { runDefinition, type LambdaHandler } from '../../support/local-sfn';
import { CREATE_METRICS, DELETE_METRICS } from '../../../functions/ebs-snapshot/metric-names';
import {
  CREATE_ENV,
  DELETE_ENV,
  Ec2World,
  FakeTable,
  NOW,
  RUN_KEY,
  streamEvent,
  ttlRemoveOf,
  VOLUME_PAGES,
} from '../../ebs-snapshot-lifecycle/fixtures/world';
import { AnswerBook } from '../harness/answers';
import type { Scenario } from '../harness/matrix';
import type { Handler } from '../harness/platform';

/** The environment the stack gives both functions (NodeFunction sets AWS_MAX_ATTEMPTS to 8). */
export const EBS_ENV = { ...CREATE_ENV, ...DELETE_ENV, AWS_MAX_ATTEMPTS: '8' };

/** A DescribeSnapshots listing that shows a snapshot only `lagMs` after it started (eventual consistency). */
export function laggingSnapshots(lagMs: number) {
  return (operation: string, output: unknown): unknown => {
    if (operation !== 'DescribeSnapshots') return output;
    const page = output as { Snapshots?: Snapshot[] };
    return {
      ...page,
      Snapshots: (page.Snapshots ?? []).filter(
        (s) => (s.StartTime?.getTime() ?? 0) <= Date.now() - lagMs,
      ),
    };
  };
}

/**
 * The snapshot run as deployed: the synthesized state machine (run by the local interpreter with its Retry
 * and Catch) calling the page function page after page; five tagged volumes over three DescribeVolumes
 * pages, claims and records in the table. Final state: each volume's snapshots and whether each is recorded
 * (so its TTL deletes it), and each record's snapshot.
 */
export function ebsCreateScenario(definitionJson: string, handler: () => Handler): Scenario {
  let world: Ec2World;
  let table: FakeTable;
  const definition = JSON.parse(definitionJson) as {
    States: { SnapshotPage: { Resource: string } };
  };
  return {
    name: 'ebs-snapshot-create',
    start: NOW,
    operations: [
      'EC2Client.DescribeVolumes',
      'EC2Client.DescribeSnapshots',
      'EC2Client.CreateSnapshot',
      'DynamoDBClient.PutItem',
    ],
    failureMetrics: [CREATE_METRICS.failed],
    async prepare(wire) {
      const ec2 = new AnswerBook();
      const ddb = new AnswerBook();
      world = new Ec2World(VOLUME_PAGES, () => new Date()).install(
        ec2 as unknown as AwsClientStub<EC2Client>,
      );
      table = new FakeTable().install(ddb as unknown as AwsClientStub<DynamoDBClient>);
      wire.serve(EC2Client, ec2).serve(DynamoDBClient, ddb);
    },
    async run(platform) {
      // The start function's input for this run (functions/ebs-snapshot/start.handler.ts).
      await platform.execution(() =>
        runDefinition(definitionJson, {
          executionName: RUN_KEY.replace(/[^A-Za-z0-9-_]/g, '-'),
          input: { runKey: RUN_KEY, pass: 1, totals: ZERO_TOTALS },
          lambdas: { [definition.States.SnapshotPage.Resource]: deployedPauses(handler()) },
          sdkClients: { sqs: new SQSClient({ maxAttempts: 1 }) },
          iamSubject: RUN_STATE_MACHINE_SUBJECT,
        }),
      );
    },
    state() {
      const records = table.records();
      const recorded = (id: string | undefined) => records.some((r) => r.snapshot_id?.S === id);
      return {
        snapshots: world.snapshots
          .map((s) => ({ volume: s.VolumeId, recorded: recorded(s.SnapshotId) }))
          .sort((a, b) => String(a.volume).localeCompare(String(b.volume))),
        records: records
          .map((r) => ({
            volume: r.volume_id?.S,
            snapshotExists: world.snapshots.some((s) => s.SnapshotId === r.snapshot_id?.S),
          }))
          .sort((a, b) => String(a.volume).localeCompare(String(b.volume))),
      };
    },
  };
}

/**
 * The page task with the pauses the deployed state machine takes before it (the local interpreter's are 0):
 * the settle Wait before the retry pass, and the Retry interval after a failed attempt (90 s, doubling).
 * Only Date is faked in the harness, so a pause moves the wall clock.
 */
function deployedPauses(page: Handler): LambdaHandler {
  let failedInARow = 0;
  let retryPassStarted = false;
  return async (event, context) => {
    const state = event as { pass?: number; pageToken?: string };
    let pause = failedInARow > 0 ? 90_000 * 2 ** (failedInARow - 1) : 0;
    if (state.pass === 2 && !state.pageToken && !retryPassStarted) {
      retryPassStarted = true;
      pause += RETRY_PASS_SETTLE_SECONDS * 1000;
    }
    jest.setSystemTime(Date.now() + pause);
    try {
      const out = await (page as LambdaHandler)(event, context);
      failedInARow = 0;
      return out;
    } catch (error) {
      failedInARow += 1;
      throw error;
    }
  };
}

const ZERO_TOTALS = { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 };

const SNAPSHOTS = ['1', '2', '3', '4', '5'].map((n) => `snap-0a1b2c3d4e5f6000${n}`);

/**
 * The delete function on the table's stream: the TTL removes of five records in one shard. Final state: the
 * snapshots left, and how many deletions the metric counted (each snapshot once).
 */
export function ebsDeleteScenario(
  handler: () => Handler,
  mapping: { readonly batchSize: number; readonly maxRetries: number },
): Scenario {
  let snapshots: Set<string>;
  return {
    name: 'ebs-snapshot-delete',
    start: NOW,
    operations: ['EC2Client.DeleteSnapshot'],
    failureMetrics: [DELETE_METRICS.deleteFailed, DELETE_METRICS.inUse],
    async prepare(wire) {
      snapshots = new Set(SNAPSHOTS);
      const ec2 = new AnswerBook();
      // DeleteSnapshot of a snapshot that no longer exists: InvalidSnapshot.NotFound (HTTP 400).
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
      ec2.on(DeleteSnapshotCommand).callsFake((input: DeleteSnapshotCommandInput) => {
        if (!snapshots.delete(input.SnapshotId ?? '')) throw notFound(input.SnapshotId);
        return { $metadata: {} };
      });
      // DescribeSnapshots by id: an id EC2 does not have is InvalidSnapshot.NotFound.
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
      ec2.on(DescribeSnapshotsCommand).callsFake((input: DescribeSnapshotsCommandInput) => {
        const ids = input.SnapshotIds ?? [];
        const missing = ids.find((id) => !snapshots.has(id));
        if (missing) throw notFound(missing);
        return { Snapshots: ids.map((id) => ({ SnapshotId: id, State: 'completed' })) };
      });
      // No snapshot here is locked: an empty Snapshots list.
      // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLockedSnapshots.html
      ec2.on(DescribeLockedSnapshotsCommand).resolves({ Snapshots: [] });
      wire.serve(EC2Client, ec2);
    },
    async run(platform) {
      const records = SNAPSHOTS.map((id, i) => ttlRemoveOf(id, String(1000 + i)));
      await platform.invokeStream('delete', handler(), streamEvent(...records).Records, mapping);
    },
    state(platform) {
      return {
        remaining: [...snapshots].sort(),
        deletionsCounted: platform.metrics
          .filter((m) => m.name === DELETE_METRICS.deleted)
          .reduce((n, m) => n + m.value, 0),
      };
    },
  };
}

const notFound = (snapshotId: string | undefined) =>
  new EC2ServiceException({
    name: 'InvalidSnapshot.NotFound',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `The snapshot '${snapshotId}' does not exist.`,
  });
