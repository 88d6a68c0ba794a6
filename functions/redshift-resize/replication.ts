import {
  paginateDescribeReplicationTasks,
  type ReplicationTask,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
  type DatabaseMigrationServiceClient,
  type Filter,
} from '@aws-sdk/client-database-migration-service';
import { logger } from '../shared/logger';
import type { ReplicationSource } from './env';
import { ReplicationTaskNotFoundError } from './errors';

interface ReplicationClients {
  readonly dms: DatabaseMigrationServiceClient;
}

/** A task's DMS status, or 'missing' when DMS no longer knows the task. */
type TaskStatus = string;

interface TaskReport {
  readonly arn: string;
  /** Status seen before acting. */
  readonly status: TaskStatus;
  readonly action: 'none' | 'stop-requested' | 'resume-requested';
}

/** Output of the stop and resume actions: `settled` says the loop in the state machine may move on. */
export interface ReplicationStepResult {
  readonly settled: boolean;
  readonly tasks: TaskReport[];
}

export interface SelectResult {
  /**
   * The tasks this execution takes responsibility for: running when selected, then stopped by the Stop step,
   * and the only ones ever resumed. Kept by the state machine at $.replication.taskArns.
   */
  readonly taskArns: string[];
  /** Tasks replicating into the cluster that were not running (left alone, never resumed). */
  readonly ignored: { arn: string; status: TaskStatus }[];
  /** Running tasks left running because they load tables in full (see pauseBlocker). */
  readonly leftRunning: { arn: string; migrationType: string; reason: string }[];
}

/**
 * Why a running task must not be paused, or undefined when it may. DMS MigrationType is full-load, cdc or
 * full-load-and-cdc (https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTask.html). A task
 * stopped during a full load reloads its partly loaded tables on resume, and Redshift does not enforce
 * primary keys, so rows would be duplicated: only CDC, and CDC after a finished full load (FullLoadFinishDate
 * set, no table loading or queued; API_ReplicationTaskStats.html), is paused.
 */
export function pauseBlocker(task: ReplicationTask): string | undefined {
  const type = task.MigrationType ?? 'unknown';
  if (type === 'cdc') return undefined;
  if (type === 'full-load') return 'full-load task: stopping it would reload its tables';
  if (type !== 'full-load-and-cdc') return `migration type ${type} is not one DMS documents`;
  const stats = task.ReplicationTaskStats;
  const finished =
    stats?.FullLoadFinishDate !== undefined &&
    (stats.TablesLoading ?? 0) === 0 &&
    (stats.TablesQueued ?? 0) === 0;
  return finished
    ? undefined
    : `full load not finished (${stats?.FullLoadProgressPercent ?? 0} %, ${stats?.TablesLoading ?? 0} tables loading, ${stats?.TablesQueued ?? 0} queued)`;
}

const FILTER_VALUES_PER_CALL = 10;

/** Statuses in which a task no longer writes to the target. */
const STOPPED = new Set(['stopped', 'failed', 'missing']);
/** Statuses from which StartReplicationTask resume-processing applies. */
const RESUMABLE = new Set(['stopped', 'failed']);

/** Chooses the tasks to pause: the configured ones, or those targeting the endpoint, that are running now. */
export async function selectTasks(
  clients: ReplicationClients,
  source: ReplicationSource,
): Promise<SelectResult> {
  let tasks: Map<string, DescribedTask>;
  if (source.kind === 'taskList') {
    tasks = await describeTasks(clients.dms, source.taskArns);
    const missing = source.taskArns.filter((arn) => tasks.get(arn)?.status === 'missing');
    if (missing.length > 0) {
      throw new ReplicationTaskNotFoundError(
        `REPLICATION_TASK_ARNS names tasks DMS does not know: ${missing.join(', ')}`,
      );
    }
  } else {
    tasks = await describeTasksTargeting(clients.dms, source.targetEndpointArn);
  }
  const taskArns: string[] = [];
  const ignored: SelectResult['ignored'] = [];
  const leftRunning: SelectResult['leftRunning'] = [];
  for (const [arn, task] of [...tasks].sort(([a], [b]) => a.localeCompare(b))) {
    const blocker = task.status === 'running' ? pauseBlocker(task.task) : undefined;
    if (task.status !== 'running') ignored.push({ arn, status: task.status });
    else if (blocker === undefined) taskArns.push(arn);
    else {
      logger.warn('leaving a full-load replication task running', { arn, reason: blocker });
      leftRunning.push({
        arn,
        migrationType: task.task.MigrationType ?? 'unknown',
        reason: blocker,
      });
    }
  }
  logger.info('selected replication tasks to pause', { taskArns, ignored, leftRunning });
  return { taskArns, ignored, leftRunning };
}

/** What one pass of the Stop or Resume step does to a task, and when. */
interface TaskStep {
  readonly action: TaskReport['action'];
  readonly appliesTo: (status: TaskStatus) => boolean;
  readonly request: (arn: string) => Promise<unknown>;
  /** Logged for a task DMS no longer knows. */
  readonly missing: string;
}

/** Describes the tasks, then requests the step for each task in a status it applies to. */
async function stepTasks(
  clients: ReplicationClients,
  taskArns: readonly string[],
  step: TaskStep,
): Promise<TaskReport[]> {
  const described = await describeTasks(clients.dms, taskArns);
  const reports: TaskReport[] = [];
  for (const arn of taskArns) {
    const status = described.get(arn)?.status ?? 'missing';
    if (step.appliesTo(status)) {
      await ignoringInvalidState(() => step.request(arn), arn);
      reports.push({ arn, status, action: step.action });
    } else {
      if (status === 'missing') logger.warn(step.missing, { arn });
      reports.push({ arn, status, action: 'none' });
    }
  }
  return reports;
}

/** Asks every running task of the list to stop; settled once none of them writes any more. Idempotent. */
export async function stopTasks(
  clients: ReplicationClients,
  taskArns: readonly string[],
): Promise<ReplicationStepResult> {
  const tasks = await stepTasks(clients, taskArns, {
    action: 'stop-requested',
    appliesTo: (status) => status === 'running',
    request: (arn) => clients.dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn })),
    missing: 'replication task disappeared while stopping',
  });
  return { settled: tasks.every((r) => STOPPED.has(r.status)), tasks };
}

/**
 * Resumes exactly the given tasks (resume-processing, so CDC continues from its checkpoint); running tasks
 * are left alone, stopping ones are resumed on a later call. Settled once all are running. Idempotent.
 */
export async function resumeTasks(
  clients: ReplicationClients,
  taskArns: readonly string[],
): Promise<ReplicationStepResult> {
  const tasks = await stepTasks(clients, taskArns, {
    action: 'resume-requested',
    appliesTo: (status) => RESUMABLE.has(status),
    request: (arn) =>
      clients.dms.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: arn,
          StartReplicationTaskType: 'resume-processing',
        }),
      ),
    missing: 'replication task disappeared; it cannot be resumed',
  });
  return {
    settled: tasks.every((r) => r.status === 'running' || r.status === 'missing'),
    tasks,
  };
}

/** A concurrent status change (another execution, a person) makes DMS refuse; the next poll looks again. */
async function ignoringInvalidState(call: () => Promise<unknown>, arn: string): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidResourceStateFault') {
      logger.warn('replication task changed state under us; will look again', {
        arn,
        error: error.message,
      });
      return;
    }
    throw error;
  }
}

interface DescribedTask {
  readonly status: TaskStatus;
  readonly task: ReplicationTask;
}

/** Each named task ('missing' when DMS does not know it), by DescribeReplicationTasks. */
async function describeTasks(
  dms: DatabaseMigrationServiceClient,
  taskArns: readonly string[],
): Promise<Map<string, DescribedTask>> {
  const found = new Map<string, DescribedTask>(
    taskArns.map((arn) => [arn, { status: 'missing', task: {} }]),
  );
  for (let i = 0; i < taskArns.length; i += FILTER_VALUES_PER_CALL) {
    const chunk = taskArns.slice(i, i + FILTER_VALUES_PER_CALL);
    for (const task of await describeAll(dms, [{ Name: 'replication-task-arn', Values: chunk }])) {
      const arn = task.ReplicationTaskArn;
      if (arn !== undefined && found.has(arn))
        found.set(arn, { status: task.Status ?? 'unknown', task });
    }
  }
  return found;
}

/** Tasks whose target is the endpoint (the endpoint-arn filter matches sources too, hence the second check). */
async function describeTasksTargeting(
  dms: DatabaseMigrationServiceClient,
  endpointArn: string,
): Promise<Map<string, DescribedTask>> {
  const tasks = await describeAll(dms, [{ Name: 'endpoint-arn', Values: [endpointArn] }]);
  return new Map(
    tasks
      .filter((t) => t.TargetEndpointArn === endpointArn && t.ReplicationTaskArn !== undefined)
      .map((t) => [t.ReplicationTaskArn as string, { status: t.Status ?? 'unknown', task: t }]),
  );
}

async function describeAll(
  dms: DatabaseMigrationServiceClient,
  filters: Filter[],
): Promise<ReplicationTask[]> {
  const found: ReplicationTask[] = [];
  try {
    for await (const page of paginateDescribeReplicationTasks(
      { client: dms, pageSize: 100 },
      { Filters: filters, WithoutSettings: true },
    )) {
      found.push(...(page.ReplicationTasks ?? []));
    }
  } catch (error) {
    // DMS answers a filter that matches nothing with ResourceNotFoundFault rather than an empty list.
    if (error instanceof Error && error.name === 'ResourceNotFoundFault') return found;
    throw error;
  }
  return found;
}
