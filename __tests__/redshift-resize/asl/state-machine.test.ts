import { CLUSTER_ID, functionArn, MAX_NODE_COUNT, TOPIC_ARN } from '../fixtures/env';
import { RedshiftClient, ClusterSnapshotQuotaExceededFault } from '@aws-sdk/client-redshift';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import * as guard from '../../../functions/redshift-resize/guard.handler';
import {
  executionNameFor,
  snapshotIdentifierFor,
} from '../../../functions/redshift-resize/identifiers';
import * as replication from '../../../functions/redshift-resize/replication.handler';
import * as resize from '../../../functions/redshift-resize/resize.handler';
import {
  buildResizeDefinition,
  maxPollAttempts,
  S,
  type ResizeDefinitionInput,
} from '../../../stacks/redshift-resize/asl';
import { commandsOf, ResizeWorld, wireDms, wireRedshift, wireSns } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';
import { runDefinition, validateDefinition, type LocalExecution } from '../../support/local-sfn';

const guardRedshift = mockClient(guard.redshift);
const resizeRedshift = mockClient(resize.redshift);
const dms = mockClient(replication.dms);
// The state machine's own clients (its SDK-integration tasks); local-sfn records their calls for its role.
const smRedshiftClient = new RedshiftClient({});
const smSnsClient = new SNSClient({});
const smRedshift = mockClient(smRedshiftClient);
const smSns = mockClient(smSnsClient);

recordIamCalls('redshift-resize-guard', [guardRedshift]);
recordIamCalls('redshift-resize-resize', [resizeRedshift]);
recordIamCalls('redshift-resize-replication', [dms]);

const INPUT: ResizeDefinitionInput = {
  functionArns: {
    guard: functionArn('guard'),
    replication: functionArn('replication'),
    resize: functionArn('resize'),
  },
  topicArn: TOPIC_ARN,
  phaseTimeoutsSeconds: {
    stop: 900,
    snapshot: 3600,
    resize: 6 * 3600,
    overdue: 21_600,
    resume: 900,
  },
  pollIntervalsSeconds: { stop: 30, snapshot: 60, resize: 300, overdue: 1800, resume: 30 },
  timeoutSeconds: 48 * 3600,
};
/** Exactly what a synthesized stack holds. */
const DEFINITION_JSON = JSON.stringify(buildResizeDefinition(INPUT));
const EXECUTION_NAME = executionNameFor(CLUSTER_ID, new Date('2024-03-04T05:06:07.891Z'));
const SNAPSHOT_ID = snapshotIdentifierFor(EXECUTION_NAME);

let world: ResizeWorld;
let cdc1: string;
let cdc2: string;
let archive: string;

beforeEach(() => {
  world = ResizeWorld.standard();
  [cdc1, cdc2, archive] = [...world.tasks.keys()] as [string, string, string];
  wireRedshift(world, guardRedshift, resizeRedshift, smRedshift);
  wireDms(world, dms);
  wireSns(world, smSns);
});

function run(): Promise<LocalExecution> {
  return runDefinition(DEFINITION_JSON, {
    executionName: EXECUTION_NAME,
    input: {
      clusterId: CLUSTER_ID,
      alarmName: 'test',
      stateChangeTime: '2024-03-04T05:06:07.891Z',
      reason: null,
    },
    lambdas: {
      [INPUT.functionArns.guard]: guard.handler,
      [INPUT.functionArns.replication]: replication.handler,
      [INPUT.functionArns.resize]: resize.handler,
    },
    sdkClients: { redshift: smRedshiftClient, sns: smSnsClient },
    iamSubject: 'redshift-resize-state-machine',
  });
}

const dmsCalls = (command: string) => commandsOf(dms).filter((c) => c.command === command);
const taskArnsOf = (command: string) =>
  dmsCalls(command).map((c) => c.input.ReplicationTaskArn as string);
const lastMessage = () =>
  JSON.parse(world.published.at(-1)?.Message ?? 'null') as Record<string, unknown>;
const count = (exec: LocalExecution, state: string) =>
  exec.visitedStates.filter((s) => s === state).length;

describe('the definition', () => {
  it('is valid Amazon States Language according to asl-validator', () => {
    // Act
    const result = validateDefinition(DEFINITION_JSON);

    // Assess
    expect(result).toEqual({ isValid: true, errors: '' });
  });
});

describe('happy path', () => {
  it('pauses the running tasks into the cluster, snapshots, doubles the nodes, resumes the same tasks and notifies', async () => {
    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.cluster?.nodes).toBe(8);
    expect(commandsOf(resizeRedshift).filter((c) => c.command === 'ResizeCluster')).toEqual([
      {
        command: 'ResizeCluster',
        input: expect.objectContaining({
          ClusterIdentifier: CLUSTER_ID,
          NumberOfNodes: 8,
          Classic: false,
        }),
      },
    ]);
    expect(world.snapshots.get(SNAPSHOT_ID)?.status).toBe('available');
    expect(taskArnsOf('StopReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect(dmsCalls('StartReplicationTask').map((c) => c.input)).toEqual(
      expect.arrayContaining([
        { ReplicationTaskArn: cdc1, StartReplicationTaskType: 'resume-processing' },
        { ReplicationTaskArn: cdc2, StartReplicationTaskType: 'resume-processing' },
      ]),
    );
    expect(dmsCalls('StartReplicationTask')).toHaveLength(2);
    expect([world.taskStatus(cdc1), world.taskStatus(cdc2), world.taskStatus(archive)]).toEqual([
      'running',
      'running',
      'running',
    ]);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
    expect(lastMessage()).toMatchObject({
      outcome: 'SUCCEEDED',
      fromNodeCount: 4,
      toNodeCount: 8,
      snapshotIdentifier: SNAPSHOT_ID,
    });
  });

  it('stops before the snapshot and resumes only after the resize has finished', async () => {
    // Act
    const exec = await run();

    // Assess
    const order = [
      S.stopTasks,
      S.createSnapshot,
      S.startResize,
      S.resumeTasks,
      S.notifySucceeded,
    ].map((s) => exec.visitedStates.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(exec.visitedStates.lastIndexOf(S.checkResize)).toBeLessThan(
      exec.visitedStates.indexOf(S.resumeTasks),
    );
    expect(count(exec, S.waitForStop)).toBeGreaterThan(0);
  });

  it("makes only its role's SDK calls from the state machine itself", async () => {
    // Act
    const exec = await run();

    // Assess
    expect([...new Set(exec.sdkCalls.map((c) => `${c.client}.${c.command}`))].sort()).toEqual([
      'RedshiftClient.CreateClusterSnapshot',
      'RedshiftClient.DescribeClusterSnapshots',
      'SNSClient.Publish',
    ]);
    expect(exec.sdkCalls.find((c) => c.command === 'CreateClusterSnapshot')?.input).toEqual({
      ClusterIdentifier: CLUSTER_ID,
      SnapshotIdentifier: SNAPSHOT_ID,
    });
  });

  it('carries on when a retried CreateClusterSnapshot finds the snapshot of its own execution', async () => {
    // Prepare
    world.snapshots.set(SNAPSHOT_ID, { status: 'creating', remaining: 1, clusterId: CLUSTER_ID });

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.cluster?.nodes).toBe(8);
  });
});

describe('nothing to do', () => {
  it('at the maximum node count notifies and succeeds without a single DMS call', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: MAX_NODE_COUNT };

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates.at(-1)).toBe(S.skipped);
    expect(dms.calls()).toHaveLength(0);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize skipped: ${CLUSTER_ID}`,
    ]);
    expect(lastMessage()).toMatchObject({ decision: 'SKIP', reason: 'AT_MAXIMUM' });
    expect(commandsOf(resizeRedshift)).toHaveLength(0);
  });

  it('reports an unknown node type instead of crashing, without touching DMS', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra9.galactic', nodes: 4 };

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(lastMessage()).toMatchObject({
      decision: 'SKIP',
      reason: 'UNKNOWN_NODE_TYPE',
      nodeType: 'ra9.galactic',
    });
    expect(String(lastMessage().message)).toContain('ra9.galactic');
    expect(dms.calls()).toHaveLength(0);
  });

  it('skips within the cooldown after the last resize, without touching DMS', async () => {
    // Prepare
    world.lastResize = { Status: 'SUCCEEDED', TargetNumberOfNodes: 4, ResizeType: 'ElasticResize' };
    world.events = [
      {
        EventId: 'REDSHIFT-EVENT-3002',
        Date: new Date(Date.now() - 30 * 60_000),
        Message: `Cluster ${CLUSTER_ID} resize completed.`,
      },
    ];

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(lastMessage()).toMatchObject({ decision: 'SKIP', reason: 'COOLDOWN' });
    expect(dms.calls()).toHaveLength(0);
    expect(world.cluster?.nodes).toBe(4);
  });
});

describe('a task stopped before the run', () => {
  it('is neither stopped nor resumed, and stays stopped', async () => {
    // Prepare
    const parked = world.addTask('PARKEDBYSOMEONEELSE000001', 'stopped');

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.taskStatus(parked)).toBe('stopped');
    expect(taskArnsOf('StopReplicationTask')).not.toContain(parked);
    expect(taskArnsOf('StartReplicationTask')).not.toContain(parked);
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
  });
});

describe('failures before the stop', () => {
  it('notify and fail without touching DMS when the cluster does not exist', async () => {
    // Prepare
    world.cluster = undefined;

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('ClusterNotFoundError');
    expect(exec.visitedStates.at(-1)).toBe(S.failedBeforeStop);
    expect(dms.calls()).toHaveLength(0);
    expect(world.published.map((p) => p.Subject)).toEqual([
      'Redshift resize failed before any change',
    ]);
  });
});

describe('failures after the stop resume exactly the stopped tasks, notify the cause and fail', () => {
  function expectResumedAndReported(exec: LocalExecution, error: string) {
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe(error);
    expect(exec.visitedStates).toContain(S.resumeAfterFailure);
    expect(exec.visitedStates.at(-1)).toBe(S.failed);
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect([world.taskStatus(cdc1), world.taskStatus(cdc2)]).toEqual(['running', 'running']);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize FAILED: ${CLUSTER_ID}`,
    ]);
    expect(lastMessage()).toMatchObject({
      outcome: 'FAILED',
      error: { Error: error },
      stoppedTaskArns: expect.arrayContaining([cdc1, cdc2]),
      replicationRecovery: { settled: true },
    });
  }

  it('when DMS does not stop within the bounded loop', async () => {
    // Prepare: the tasks stay "stopping" longer than the stop phase allows, then stop.
    world.stopPolls = maxPollAttempts(INPUT, 'stop') + 5;

    // Act
    const exec = await run();

    // Assess
    expectResumedAndReported(exec, 'ReplicationStopTimeout');
    expect(count(exec, S.stopTasks)).toBe(maxPollAttempts(INPUT, 'stop') + 1);
    expect(exec.visitedStates).not.toContain(S.createSnapshot);
  });

  it('when the snapshot fails', async () => {
    // Prepare
    world.snapshotOutcome = 'failed';

    // Act
    const exec = await run();

    // Assess
    expectResumedAndReported(exec, 'SnapshotFailed');
    expect(commandsOf(resizeRedshift)).toHaveLength(0);
  });

  it('when CreateClusterSnapshot is refused', async () => {
    // Prepare
    world.createSnapshotError = new ClusterSnapshotQuotaExceededFault({
      message: 'quota exceeded',
      $metadata: {},
    });

    // Act
    const exec = await run();

    // Assess
    expectResumedAndReported(exec, 'Redshift.ClusterSnapshotQuotaExceededException');
    expect(world.cluster?.nodes).toBe(4);
  });

  it('when the resize fails', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';

    // Act
    const exec = await run();

    // Assess
    expectResumedAndReported(exec, 'ResizeFailedError');
    expect(world.cluster?.nodes).toBe(4);
  });

  it('except a resize that never ends: the cluster stays read-only, so DMS stays paused', async () => {
    // Prepare
    world.resizeOutcome = 'NEVER_ENDS';

    // Act
    const exec = await run();

    // Assess
    expect(exec).toMatchObject({ status: 'FAILED', error: 'ResizeStillReadOnly' });
    expect(count(exec, S.checkResize)).toBe(maxPollAttempts(INPUT, 'resize') + 1);
    expect(count(exec, S.checkOverdue)).toBe(maxPollAttempts(INPUT, 'overdue') + 1);
    expect(taskArnsOf('StartReplicationTask')).toEqual([]);
    expect(world.published.map((p) => p.Subject?.split(':')[0])).toEqual([
      'Redshift resize past its time limit, cluster read-only, DMS kept paused',
      'Redshift resize FAILED, cluster still read-only, DMS left paused',
    ]);
  });

  it('leaves a task parked by someone else stopped', async () => {
    // Prepare
    const parked = world.addTask('PARKEDBYSOMEONEELSE000001', 'stopped');
    world.resizeOutcome = 'FAILED';

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('FAILED');
    expect(world.taskStatus(parked)).toBe('stopped');
    expect(taskArnsOf('StartReplicationTask')).not.toContain(parked);
  });
});
