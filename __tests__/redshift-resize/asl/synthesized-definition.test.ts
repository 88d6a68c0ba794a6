import { CLUSTER_ID, functionArn, STATE_MACHINE_ARN, TEST_ENV, TOPIC_ARN } from '../fixtures/env';
import { S, type AslDefinition } from '../../../stacks/redshift-resize/asl';
import { WORLD } from '../../support/deployment';
import { commandsOf, type ResizeWorld } from '../fixtures/world';
import { validateDefinition } from '../../support/local-sfn';
import { resources } from '../../support/synth';
import {
  attemptBound,
  DEFINITION,
  DEFINITION_JSON,
  deployed,
  deployedWith,
  dms,
  json,
  machine,
  run,
  smRedshift,
  taskArnsOf,
  useWorld,
  VARS,
} from '../fixtures/deployed-machine';

const holder = useWorld();
let world: ResizeWorld;
let cdc1: string;
let cdc2: string;
let archive: string;
beforeEach(() => {
  world = holder.current;
  [cdc1, cdc2, archive] = [...world.tasks.keys()] as [string, string, string];
});

describe('the definition the stack deploys', () => {
  test('holds only references known at plan time', () => {
    // Prepare / Act: substituted above (substituteTf throws on anything known only after apply). Assess:
    expect(machine.definition).toContain('${var.name_prefix}');
    expect(DEFINITION_JSON).not.toContain('${');
  });

  test('is valid Amazon States Language according to asl-validator', () => {
    // Act
    const result = validateDefinition(DEFINITION_JSON);

    // Assess
    expect(result).toEqual({ isValid: true, errors: '' });
  });

  test('its Lambda tasks call exactly the three functions the stack deploys', () => {
    // Prepare
    const deployedFunctions = Object.values(resources(json, 'aws_lambda_function')).map(
      (f) =>
        `arn:${WORLD.partition}:lambda:${WORLD.region}:${WORLD.account}:function:${deployed(f.function_name as string)}`,
    );

    // Act
    const taskFunctions = new Set(
      Object.values(DEFINITION.States).flatMap((s) =>
        s.Type === 'Task' && s.Resource.includes(':lambda:') ? [s.Resource] : [],
      ),
    );

    // Assess
    expect([...taskFunctions].sort()).toEqual(
      [functionArn('guard'), functionArn('replication'), functionArn('resize')].sort(),
    );
    for (const arn of taskFunctions) expect(deployedFunctions).toContain(arn);
  });

  test('notifies the alerts topic the stack creates', () => {
    // Prepare
    const topic = Object.values(resources(json, 'aws_sns_topic'))[0] as { name: string };

    // Act
    const topics = new Set(
      Object.values(DEFINITION.States).flatMap((s) =>
        s.Type === 'Task' && s.Resource.endsWith(':sns:publish')
          ? [s.Parameters?.TopicArn as string]
          : [],
      ),
    );

    // Assess
    expect([...topics]).toEqual([TOPIC_ARN]);
    expect(TOPIC_ARN).toBe(
      `arn:${WORLD.partition}:sns:${WORLD.region}:${WORLD.account}:${deployed(topic.name)}`,
    );
  });

  test('the phase timeout variables (tfvars defaults) become numeric attempt bounds: 30/60/72/30 polls', () => {
    // Act
    const bounds = [
      S.areTasksStopped,
      S.isSnapshotAvailable,
      S.isResizeDone,
      S.areTasksRunning,
      S.isRecoveryDone,
    ].map((choice) => attemptBound(DEFINITION, choice));

    // Assess
    expect([
      VARS.redshift_stop_timeout_seconds,
      VARS.redshift_snapshot_timeout_seconds,
      VARS.redshift_resize_timeout_seconds,
      VARS.redshift_resume_timeout_seconds,
    ]).toEqual([900, 3600, 21600, 900]);
    expect(bounds).toEqual([30, 60, 72, 30, 30]);
    expect(typeof DEFINITION.TimeoutSeconds).toBe('number');
  });

  test('carries the stack default timing: 48 h backstop, 35-day snapshot retention', () => {
    // Act
    const createSnapshot = DEFINITION.States[S.createSnapshot];

    // Assess
    expect(DEFINITION.TimeoutSeconds).toBe(172800);
    expect(createSnapshot?.Type === 'Task' && createSnapshot.Parameters).toMatchObject({
      ManualSnapshotRetentionPeriod: 35,
    });
  });

  test('the functions are deployed with the environment the handler tests use', () => {
    // Prepare
    const envOf = (asset: string) => {
      const fn = Object.values(resources(json, 'aws_lambda_function')).find(
        (f) => deployed(f.function_name as string) === `${WORLD.namePrefix}-${asset}`,
      ) as { environment: { variables: Record<string, string> } };
      return Object.fromEntries(
        Object.entries(fn.environment.variables).map(([k, v]) => [k, deployed(v)]),
      );
    };

    // Act / Assess
    expect(envOf('redshift-resize-trigger')).toMatchObject({
      STATE_MACHINE_ARN,
      ALARM_NAME: TEST_ENV.ALARM_NAME,
      CLUSTER_ID,
    });
    expect(envOf('redshift-resize-guard')).toMatchObject({
      CLUSTER_ID,
      MAX_NODE_COUNT: TEST_ENV.MAX_NODE_COUNT,
      RESIZE_FACTOR: TEST_ENV.RESIZE_FACTOR,
      RESIZE_TYPE: TEST_ENV.RESIZE_TYPE,
      COOLDOWN_MINUTES: TEST_ENV.COOLDOWN_MINUTES,
      DRY_RUN: 'false',
    });
    expect(envOf('redshift-resize-replication')).toMatchObject({
      REPLICATION_TASK_ARNS: TEST_ENV.REPLICATION_TASK_ARNS,
      TARGET_ENDPOINT_ARN: TEST_ENV.TARGET_ENDPOINT_ARN,
    });
    expect(envOf('redshift-resize-resize')).toMatchObject({ CLUSTER_ID });
  });
});

describe('the deployed definition, executed', () => {
  test('happy path: pauses the two CDC tasks, snapshots, doubles the nodes, resumes them, notifies success', async () => {
    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.cluster?.nodes).toBe(8);
    expect(taskArnsOf('StopReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect([world.taskStatus(cdc1), world.taskStatus(cdc2), world.taskStatus(archive)]).toEqual([
      'running',
      'running',
      'running',
    ]);
    expect(
      commandsOf(smRedshift).find((c) => c.command === 'CreateClusterSnapshot')?.input,
    ).toMatchObject({ ClusterIdentifier: CLUSTER_ID, ManualSnapshotRetentionPeriod: 35 });
    expect(world.published.map((p) => [p.TopicArn, p.Subject])).toEqual([
      [TOPIC_ARN, `Redshift resize succeeded: ${CLUSTER_ID}`],
    ]);
    expect(exec.visitedStates.at(-1)).toBe(S.succeeded);
  });

  test('a failed resize resumes the paused tasks, notifies the cause and fails', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('ResizeFailedError');
    expect(exec.visitedStates).toContain(S.resumeAfterFailure);
    expect(world.cluster?.nodes).toBe(4);
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect([world.taskStatus(cdc1), world.taskStatus(cdc2)]).toEqual(['running', 'running']);
    expect(world.published.map((p) => [p.TopicArn, p.Subject])).toEqual([
      [TOPIC_ARN, `Redshift resize FAILED: ${CLUSTER_ID}`],
    ]);
    expect(JSON.parse(world.published[0]?.Message ?? 'null')).toMatchObject({
      outcome: 'FAILED',
      error: { Error: 'ResizeFailedError' },
      replicationRecovery: { settled: true },
    });
  });

  test('a small stop timeout variable bounds the stop loop: DMS still stopping after it means resume and fail', async () => {
    // Prepare: deployed with redshift_stop_timeout_seconds = 90 (3 polls of 30 s); the tasks keep stopping longer.
    const definitionJson = deployedWith({ redshift_stop_timeout_seconds: 90 });
    expect(attemptBound(JSON.parse(definitionJson) as AslDefinition, S.areTasksStopped)).toBe(3);
    world.stopPolls = 10;

    // Act
    const exec = await run(definitionJson);

    // Assess
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('ReplicationStopTimeout');
    expect(exec.cause).toContain('DMS tasks did not stop within 90 s');
    expect(exec.visitedStates.filter((s) => s === S.stopTasks)).toHaveLength(3 + 1);
    expect(exec.visitedStates).not.toContain(S.createSnapshot);
    expect(world.cluster?.nodes).toBe(4);
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize FAILED: ${CLUSTER_ID}`,
    ]);
  });

  test('the same stop delay passes with the default stop timeout', async () => {
    // Prepare: 10 polls of stopping fit in the default 30.
    world.stopPolls = 10;

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates.filter((s) => s === S.stopTasks).length).toBeGreaterThan(3 + 1);
  });

  test('a cluster already at its maximum is skipped without touching DMS', async () => {
    // Prepare: 16 nodes is redshift_max_node_count in the deployment.
    if (world.cluster) world.cluster.nodes = Number(VARS.redshift_max_node_count);

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates.at(-1)).toBe(S.skipped);
    expect(dms.calls()).toHaveLength(0);
    expect(world.published.map((p) => p.TopicArn)).toEqual([TOPIC_ARN]);
  });
});
