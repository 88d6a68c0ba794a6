import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Failure,
  paginateListContainerInstances,
  paginateListTasks,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import pLimit from 'p-limit';
import { DrainStepError } from './errors';

/** DescribeContainerInstances and DescribeTasks take at most 100 ARNs. */
const DESCRIBE_BATCH = 100;
const STOP_CONCURRENCY = 5;
/** Container-instance states in which nothing can run on the instance any more. */
const GONE_STATUSES = new Set(['INACTIVE', 'DEREGISTERING', 'REGISTRATION_FAILED']);

interface ContainerInstanceView {
  readonly arn: string;
  readonly status: string;
  readonly agentConnected: boolean;
}

export interface TaskView {
  readonly arn: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly group?: string;
  readonly startedBy?: string;
  /** Not started by an ECS service: draining does not move it, so it would run until the instance dies. */
  readonly standalone: boolean;
}

/** A task belongs to a service when ECS started it for one: group `service:<name>` or startedBy `ecs-svc/<id>`. */
export function isServiceTask(task: { group?: string; startedBy?: string }): boolean {
  return (
    (task.group?.startsWith('service:') ?? false) ||
    (task.startedBy?.startsWith('ecs-svc/') ?? false)
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Throws on any failure other than MISSING (the resource is gone, which callers treat as done). */
function assertOnlyMissing(operation: string, failures: readonly Failure[] | undefined): void {
  const real = (failures ?? []).filter((f) => f.reason !== 'MISSING');
  if (real.length > 0) {
    const detail = real
      .map((f) => `${f.arn ?? '?'}: ${f.reason ?? '?'}${f.detail ? ` (${f.detail})` : ''}`)
      .join('; ');
    throw new DrainStepError(`${operation} failed for ${detail}`);
  }
}

/** Describes the ARNs a batch at a time; any failure other than MISSING throws. */
async function describeInBatches<T>(
  arns: ReadonlySet<string>,
  operation: string,
  describe: (batch: string[]) => Promise<{ failures?: Failure[]; found?: T[] }>,
): Promise<T[]> {
  const found: T[] = [];
  for (const batch of chunks([...arns], DESCRIBE_BATCH)) {
    const out = await describe(batch);
    assertOnlyMissing(operation, out.failures);
    found.push(...(out.found ?? []));
  }
  return found;
}

/**
 * The container instances the EC2 instance is registered as in the cluster (normally one, none if it never
 * joined or has been deregistered). ListContainerInstances with a cluster-query-language filter can return
 * empty pages with a nextToken, so every page is read.
 */
export async function findContainerInstances(
  ecs: ECSClient,
  cluster: string,
  ec2InstanceId: string,
): Promise<ContainerInstanceView[]> {
  const arns = new Set<string>();
  const pages = paginateListContainerInstances(
    { client: ecs },
    { cluster, filter: `ec2InstanceId == ${ec2InstanceId}` },
  );
  for await (const page of pages) for (const arn of page.containerInstanceArns ?? []) arns.add(arn);

  const described = await describeInBatches(arns, 'DescribeContainerInstances', async (batch) => {
    const out = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
    );
    return { failures: out.failures, found: out.containerInstances };
  });
  const found: ContainerInstanceView[] = [];
  for (const ci of described) {
    if (!ci.containerInstanceArn || ci.ec2InstanceId !== ec2InstanceId) continue;
    if (GONE_STATUSES.has(ci.status ?? '')) continue;
    found.push({
      arn: ci.containerInstanceArn,
      status: ci.status ?? 'UNKNOWN',
      agentConnected: ci.agentConnected ?? false,
    });
  }
  return found;
}

/** Sets DRAINING on the instances not draining yet (idempotent); returns the ARNs it changed. */
export async function setDraining(
  ecs: ECSClient,
  cluster: string,
  instances: readonly ContainerInstanceView[],
): Promise<string[]> {
  const toDrain = instances.filter((ci) => ci.status !== 'DRAINING').map((ci) => ci.arn);
  if (toDrain.length === 0) return [];
  const out = await ecs.send(
    new UpdateContainerInstancesStateCommand({
      cluster,
      containerInstances: toDrain,
      status: 'DRAINING',
    }),
  );
  assertOnlyMissing('UpdateContainerInstancesState', out.failures);
  return toDrain;
}

/**
 * Every task on the instances that has not reached STOPPED. Both desired statuses are listed: a service
 * task ECS is moving away has desiredStatus STOPPED but keeps running (load-balancer deregistration delay,
 * stopTimeout) until lastStatus is STOPPED, and the instance must not be terminated under it.
 * (`runningTasksCount` counts desiredStatus RUNNING only, so it reaches 0 too early.)
 */
export async function listUnstoppedTasks(
  ecs: ECSClient,
  cluster: string,
  containerInstanceArns: readonly string[],
): Promise<TaskView[]> {
  const arns = new Set<string>();
  for (const containerInstance of containerInstanceArns) {
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      for await (const page of paginateListTasks(
        { client: ecs },
        { cluster, containerInstance, desiredStatus },
      )) {
        for (const arn of page.taskArns ?? []) arns.add(arn);
      }
    }
  }

  const described = await describeInBatches(arns, 'DescribeTasks', async (batch) => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    return { failures: out.failures, found: out.tasks };
  });
  const tasks: TaskView[] = [];
  for (const t of described) {
    if (!t.taskArn || t.lastStatus === 'STOPPED') continue;
    tasks.push({
      arn: t.taskArn,
      lastStatus: t.lastStatus ?? 'UNKNOWN',
      desiredStatus: t.desiredStatus ?? 'UNKNOWN',
      ...(t.group !== undefined ? { group: t.group } : {}),
      ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
      standalone: !isServiceTask(t),
    });
  }
  return tasks;
}

/** StopTask keeps at most 255 characters of reason. */
const MAX_REASON = 255;

/**
 * Stops the given tasks (StopTask is idempotent: stopping a stopping task is a no-op), a few at a time.
 * Every task is attempted; the caller gets what was stopped and the first error, so it can record the
 * stops before failing the check (which is then retried).
 */
export async function stopTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: readonly string[],
  reason: string,
): Promise<{ stopped: string[]; error?: DrainStepError }> {
  const limit = pLimit(STOP_CONCURRENCY);
  const trimmed = reason.slice(0, MAX_REASON);
  const results = await Promise.allSettled(
    taskArns.map((task) =>
      limit(() => ecs.send(new StopTaskCommand({ cluster, task, reason: trimmed }))),
    ),
  );
  const stopped = taskArns.filter((_, i) => results[i]?.status === 'fulfilled');
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return { stopped };
  const error = new DrainStepError(
    `StopTask failed for ${taskArns.length - stopped.length} of ${taskArns.length} tasks`,
    {
      cause: failed.reason,
    },
  );
  return { stopped, error };
}
