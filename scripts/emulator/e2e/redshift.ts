import { randomBytes } from 'node:crypto';
import {
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DeleteReplicationTaskCommand,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteClusterSnapshotCommand,
  DescribeClustersCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  type Snapshot,
} from '@aws-sdk/client-redshift';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import { functionOf, resourceOf } from './deployed';
import { snsDelivery } from './deliveries';
import type { Invocation } from './invoke';
import type { Scenario } from './scenario';
import type { SendingClient } from '../../../__tests__/support/local-sfn';
import { emulatorClients, runDefinition, type DeployedRun } from './sfn';

// DC2: the stack's default trigger is the disk alarm, which the guard refuses on RA3 (it cannot fire there).
const NODE_TYPE = 'dc2.large';
const NODES = 2;
const OTHER_ENDPOINT = 'arn:aws:dms:us-east-1:123456789012:endpoint:OTHERTARGETENDPOINT0001';
/** The fault injected after the stop: CreateClusterSnapshot answers as at the manual snapshot quota. */
const FAULT = {
  command: 'CreateClusterSnapshotCommand',
  name: 'ClusterSnapshotQuotaExceededFault',
};

export interface ResizeRun {
  readonly trigger: Invocation;
  readonly executionName: string;
  readonly run: DeployedRun;
  /** Each scenario DMS task afterwards, by its identifier: status, and whether it was ever stopped. */
  readonly tasks: Record<string, { status: string; everStopped: boolean }>;
  readonly seconds: number;
  /** ResizeCluster requests the stand-in answered during the run. */
  readonly resizes: Array<Record<string, unknown>>;
  readonly snapshots: Array<{ id: string; status: string }>;
  readonly nodesAfter: number;
}

export interface RedshiftObserved {
  readonly clusterId: string;
  readonly nodes: number;
  /** Identifiers: `ours-a`, `ours-b` running into the target; `ours-stopped`; `other-running` elsewhere. */
  readonly taskArns: Record<string, string>;
  readonly fault: string;
  readonly failed: ResizeRun;
  readonly succeeded: ResizeRun;
}

/**
 * Redshift resize on the applied stack: a cluster and DMS replication tasks in the emulator (two running
 * into the deployed target endpoint, one stopped, one running into another endpoint); the alarm's message
 * delivered by SNS to the trigger zip, which starts the deployed state machine in the emulator; that
 * execution's input run locally through the deployed definition, its Task states invoking the deployed zips
 * (DMS and Redshift in the emulator, ResizeCluster through the stand-in). First with a fault injected after
 * the stop (the Catch path must resume the same tasks), then without.
 */
export const redshiftScenario: Scenario = async (ctx) => {
  const trigger = functionOf(ctx.functions, 'redshift-resize-trigger');
  const guard = functionOf(ctx.functions, 'redshift-resize-guard');
  const replication = functionOf(ctx.functions, 'redshift-resize-replication');
  const resize = functionOf(ctx.functions, 'redshift-resize-resize');
  const machine = resourceOf(ctx.resources, 'aws_sfn_state_machine');
  const sub = resourceOf(
    ctx.resources,
    'aws_sns_topic_subscription',
    (a) => a.endpoint === trigger.arn,
  );
  const clusterId = String(guard.environment.CLUSTER_ID);
  const targetEndpoint = String(replication.environment.TARGET_ENDPOINT_ARN);
  const aws = {
    endpoint: ctx.endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
  };
  const redshift = new RedshiftClient(aws);
  const dms = new DatabaseMigrationServiceClient(aws);
  const sfn = new SFNClient(aws);
  const functions = {
    [guard.arn]: ctx.start(guard),
    [replication.arn]: ctx.start(replication),
    [resize.arn]: ctx.start(resize),
  };
  const triggerFn = ctx.start(trigger);

  await redshift.send(
    new CreateClusterCommand({
      ClusterIdentifier: clusterId,
      NodeType: NODE_TYPE,
      ClusterType: 'multi-node',
      NumberOfNodes: NODES,
      MasterUsername: 'admin',
      MasterUserPassword: 'Scenario-0nly-Password',
    }),
  );
  const taskArns: Record<string, string> = {};
  const suffix = randomBytes(3).toString('hex');
  try {
    const task = async (id: string, target: string, running: boolean) => {
      const out = await dms.send(
        new CreateReplicationTaskCommand({
          ReplicationTaskIdentifier: `${id}-${suffix}`,
          SourceEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:SOURCEENDPOINT0001',
          TargetEndpointArn: target,
          ReplicationInstanceArn: 'arn:aws:dms:us-east-1:123456789012:rep:SCENARIOINSTANCE0001',
          MigrationType: 'cdc',
          TableMappings: JSON.stringify({ rules: [] }),
        }),
      );
      const arn = out.ReplicationTask?.ReplicationTaskArn ?? '';
      taskArns[id] = arn;
      await dms.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: arn,
          StartReplicationTaskType: 'start-replication',
        }),
      );
      if (!running) await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn }));
    };
    await task('ours-a', targetEndpoint, true);
    await task('ours-b', targetEndpoint, true);
    await task('ours-stopped', targetEndpoint, false);
    await task('other-running', OTHER_ENDPOINT, true);

    const statuses = async () => {
      const out = await dms.send(new DescribeReplicationTasksCommand({}));
      return Object.fromEntries(
        Object.entries(taskArns).map(([id, arn]) => {
          const t = out.ReplicationTasks?.find((x) => x.ReplicationTaskArn === arn);
          return [
            id,
            { status: t?.Status ?? 'missing', everStopped: !!t?.ReplicationTaskStats?.StopDate },
          ];
        }),
      );
    };
    const once = async (at: Date, faulty: boolean): Promise<ResizeRun> => {
      const began = performance.now();
      const seen = ctx.records().length;
      const alarm = {
        AlarmName: String(trigger.environment.ALARM_NAME),
        AWSAccountId: String(sub.topic_arn).split(':')[4],
        NewStateValue: 'ALARM',
        OldStateValue: 'OK',
        NewStateReason: 'Threshold Crossed (scenario)',
        StateChangeTime: at.toISOString().replace('Z', '+0000'),
        Region: 'US East (N. Virginia)',
        Trigger: {
          MetricName: 'PercentageDiskSpaceUsed',
          Namespace: 'AWS/Redshift',
          Dimensions: [{ name: 'ClusterIdentifier', value: clusterId }],
        },
      };
      const invocation = await triggerFn.invoke(
        snsDelivery(String(sub.arn), String(sub.topic_arn), 'ALARM', alarm),
      );
      const listed = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: String(machine.arn),
          statusFilter: 'RUNNING',
        }),
      );
      const started = listed.executions?.[0];
      if (!started?.executionArn)
        throw new Error(`no execution started: ${JSON.stringify(invocation)}`);
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: started.executionArn }),
      );
      const clients: Record<string, SendingClient> = faulty
        ? { redshift: withFault(emulatorClients(ctx.endpoint).redshift!) }
        : {};
      const run = await runDefinition(
        String(machine.definition),
        JSON.parse(described.input ?? '{}'),
        functions,
        ctx.endpoint,
        { clients, executionName: started.name ?? '' },
      );
      // The local run is the execution: it ended, so the emulator's must too (the trigger skips while one runs).
      await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn }));
      const snaps = await redshift.send(
        new DescribeClusterSnapshotsCommand({
          ClusterIdentifier: clusterId,
          SnapshotType: 'manual',
        }),
      );
      const cluster = await redshift.send(
        new DescribeClustersCommand({ ClusterIdentifier: clusterId }),
      );
      return {
        trigger: invocation,
        executionName: started.name ?? '',
        run,
        tasks: await statuses(),
        resizes: ctx
          .records()
          .slice(seen)
          .filter((r) => r.operation === 'ResizeCluster')
          .map((r) => r.params),
        snapshots: manual(snaps.Snapshots).map((s) => ({
          id: s.SnapshotIdentifier ?? '',
          status: s.Status ?? '',
        })),
        nodesAfter: cluster.Clusters?.[0]?.NumberOfNodes ?? 0,
        seconds: Math.round((performance.now() - began) / 100) / 10,
      };
    };
    const failed = await once(new Date(Date.now() - 60_000), true);
    const succeeded = await once(new Date(), false);
    const observed: RedshiftObserved = {
      clusterId,
      nodes: NODES,
      taskArns,
      fault: FAULT.name,
      failed,
      succeeded,
    };
    return observed;
  } finally {
    // Nothing of the scenario may stay for the after-destroy inventory.
    for (const arn of Object.values(taskArns))
      await dms.send(new DeleteReplicationTaskCommand({ ReplicationTaskArn: arn }));
    const snaps = await redshift.send(
      new DescribeClusterSnapshotsCommand({ ClusterIdentifier: clusterId, SnapshotType: 'manual' }),
    );
    for (const s of manual(snaps.Snapshots))
      await redshift.send(
        new DeleteClusterSnapshotCommand({ SnapshotIdentifier: s.SnapshotIdentifier ?? '' }),
      );
    await redshift.send(
      new DeleteClusterCommand({ ClusterIdentifier: clusterId, SkipFinalClusterSnapshot: true }),
    );
  }
};

/** moto answers automated snapshots too, whatever SnapshotType asks for. */
const manual = (snapshots: Snapshot[] | undefined) =>
  (snapshots ?? []).filter((s) => s.SnapshotType === 'manual');

/** The emulator's Redshift client, but CreateClusterSnapshot fails as AWS answers at the snapshot quota. */
function withFault(client: { send(command: object): Promise<unknown> }) {
  return {
    send(command: object): Promise<unknown> {
      if (command.constructor.name !== FAULT.command) return client.send(command);
      const error = Object.assign(new Error('injected: manual snapshot quota reached'), {
        name: FAULT.name,
      });
      return Promise.reject(error);
    },
  };
}
