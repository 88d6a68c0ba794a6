import type { Gap } from './gaps';

/**
 * Gaps only the end-to-end scenarios meet (scripts/emulator/e2e): no stack resource touches these APIs, the
 * deployed handlers and the scenarios' setup do. Part of GAPS (gaps.ts).
 */
export const E2E_GAPS: readonly Gap[] = [
  {
    id: 'dms-task-dates',
    what: 'DMS Create/Describe/Start/Stop/DeleteReplicationTask(s) timestamps',
    reason: 'moto reads back something different',
    detail:
      'moto writes ReplicationTask dates as ISO strings (null when unset); the awsJson1_1 protocol sends epoch seconds, and SDK v3 fails to read the answer. moto also ignores StartReplicationTaskType (resume-processing starts the task as a new start would).',
    handling: [
      {
        kind: 'fix-up',
        service: 'dms',
        operations: [
          'CreateReplicationTask',
          'DescribeReplicationTasks',
          'StartReplicationTask',
          'StopReplicationTask',
          'DeleteReplicationTask',
        ],
      },
    ],
    coveredBy: [
      '__tests__/proof/deploy/fix-ups.test.ts: DMS: replication task timestamps',
      '__tests__/proof/e2e/redshift-resize.scenario.test.ts',
    ],
  },
  {
    id: 'ecs-task-lifecycle',
    what: 'ECS DescribeTasks lastStatus',
    reason: 'moto reads back something different',
    detail:
      "moto's state manager moves a task one lifecycle step per DescribeTasks by default (ecs::task, manual, 1 tick): a RUNNING task reaches STOPPED after four describes, with no StopTask; the drain handler would see its tasks stop on their own.",
    handling: [
      {
        kind: 'scenario',
        detail:
          'the drain scenario sets ecs::task to 10^9 ticks per step (moto-api state-manager) while it runs, so tasks stop only when stopped',
      },
    ],
    coveredBy: ['__tests__/proof/e2e/ecs-autoscaling-drain.scenario.test.ts'],
  },
  {
    id: 'ecs-container-instance-filter',
    what: 'ECS ListContainerInstances filter',
    reason: 'moto reads back something different',
    detail:
      'moto ignores the cluster query language filter (`ec2InstanceId == i-…`) and lists every container instance; the drain handler keeps only the described instances of its EC2 instance.',
    handling: [
      {
        kind: 'scenario',
        detail: 'the drain scenario registers a second instance and checks it stays ACTIVE',
      },
    ],
    coveredBy: [
      '__tests__/proof/e2e/ecs-autoscaling-drain.scenario.test.ts: other instances untouched',
    ],
  },
  {
    id: 'redshift-snapshot-type',
    what: 'Redshift DescribeClusterSnapshots SnapshotType',
    reason: 'moto reads back something different',
    detail:
      'moto answers the automated snapshot it takes at CreateCluster whatever SnapshotType asks for (and refuses to delete it).',
    handling: [
      {
        kind: 'scenario',
        detail: 'the resize scenario keeps the manual snapshots of the answer itself',
      },
    ],
    coveredBy: ['__tests__/proof/e2e/redshift-resize.scenario.test.ts'],
  },
  {
    id: 'ec2-copy-limit',
    what: 'EC2 CopySnapshot: the concurrent copy limit (ResourceLimitExceeded)',
    reason: 'moto lacks it',
    detail:
      'moto completes a cross-Region copy at once and never refuses one for the 20 concurrent copies EC2 allows per destination Region; the EBS scenario meets only the copy itself.',
    handling: [
      {
        kind: 'scenario',
        detail:
          'the EBS scenario copies one snapshot into us-west-2 (the deploy proof applies snapshot_copy_regions there) and checks the copy, its record and its delete in that Region',
      },
    ],
    coveredBy: [
      '__tests__/ebs-snapshot-lifecycle/handlers/copy.faults.test.ts: the copy limit (ResourceLimitExceeded): retried later, claim released, the other Region copied',
      '__tests__/proof/e2e/ebs-snapshot-lifecycle.scenario.test.ts',
    ],
  },
];
