import type { Reply } from '../aws/wire';
import type { FixUp, StandInModule } from './types';

/** Timestamp members of a ReplicationTask (https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTask.html). */
const TASK_DATES = ['ReplicationTaskCreationDate', 'ReplicationTaskStartDate'];
const STATS_DATES = [
  'FreshStartDate',
  'StartDate',
  'StopDate',
  'FullLoadStartDate',
  'FullLoadFinishDate',
];

/** moto's naive UTC ISO string as epoch seconds; null members are left out, as AWS leaves unset ones out. */
function epochSeconds(record: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const value = record[name];
    if (value === null || value === undefined) delete record[name];
    else if (typeof value === 'string') {
      const utc = /[Zz]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`;
      record[name] = Date.parse(utc) / 1000;
    }
  }
}

/**
 * Replication tasks in a DMS answer with their timestamps as epoch seconds, the awsJson1_1 protocol's
 * default timestamp format (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html), which moto writes
 * as ISO strings: SDK v3 then fails to read the answer ("Expected real number").
 */
export function fixTaskDates(reply: Reply): Reply {
  if (reply.status !== 200 || !reply.body) return reply;
  const body = JSON.parse(reply.body) as {
    ReplicationTask?: Record<string, unknown>;
    ReplicationTasks?: Array<Record<string, unknown>>;
  };
  for (const task of [
    ...(body.ReplicationTasks ?? []),
    ...(body.ReplicationTask ? [body.ReplicationTask] : []),
  ]) {
    epochSeconds(task, TASK_DATES);
    const stats = task.ReplicationTaskStats as Record<string, unknown> | undefined;
    if (stats) epochSeconds(stats, STATS_DATES);
    if (task.ReplicationTaskSettings === null) delete task.ReplicationTaskSettings;
  }
  return { ...reply, body: JSON.stringify(body) };
}

const OPERATIONS = [
  'CreateReplicationTask',
  'DescribeReplicationTasks',
  'StartReplicationTask',
  'StopReplicationTask',
  'DeleteReplicationTask',
];

/** DMS: no stack resource uses it; the Redshift resize workflow's replication function and its scenario do. */
export function dmsStandIns(): StandInModule {
  const fixUps: FixUp[] = OPERATIONS.map((operation) => ({
    service: 'dms',
    operation,
    docs: `https://docs.aws.amazon.com/dms/latest/APIReference/API_${operation}.html`,
    fix: (_req, reply) => fixTaskDates(reply),
  }));
  return { standIns: [], fixUps };
}
