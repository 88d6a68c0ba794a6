import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListTasks,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { OpsError } from '../shared/errors';
import type { StrategyItem } from './spot-fallback-config';

/** DescribeServices does not know the service (failure MISSING) or it is not ACTIVE. */
export class ServiceNotFoundError extends OpsError {}

/**
 * A task still waiting for capacity. Tasks start in PROVISIONING while ECS finds capacity for them (with a
 * capacity provider, until managed scaling adds an instance), then PENDING until their containers start:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/standalone-tasks.html
 * Task fields `lastStatus`, `capacityProviderName`, `createdAt`:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
 */
const WAITING = new Set(['PROVISIONING', 'PENDING']);
/** DescribeTasks takes at most 100 tasks: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html */
const DESCRIBE_BATCH = 100;

export interface StuckTask {
  readonly arn: string;
  readonly lastStatus: string;
  readonly createdAt: string;
}

/** The service's tasks placed on `provider` and still waiting for capacity since `cutoffMs` or earlier. */
export async function stuckTasks(
  ecs: ECSClient,
  cluster: string,
  service: string,
  provider: string,
  cutoffMs: number,
): Promise<StuckTask[]> {
  const arns: string[] = [];
  const pages = paginateListTasks(
    { client: ecs },
    { cluster, serviceName: service, desiredStatus: 'RUNNING' },
  );
  for await (const page of pages) arns.push(...(page.taskArns ?? []));
  const stuck: StuckTask[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH) }),
    );
    for (const t of out.tasks ?? []) {
      const created = t.createdAt?.getTime();
      if (
        t.capacityProviderName === provider &&
        WAITING.has(t.lastStatus ?? '') &&
        created !== undefined &&
        created <= cutoffMs
      )
        stuck.push({
          arn: t.taskArn ?? '',
          lastStatus: t.lastStatus ?? '',
          createdAt: new Date(created).toISOString(),
        });
    }
  }
  return stuck;
}

/** The service's current capacity provider strategy, base and weight defaulting to 0 as ECS documents. */
export async function currentStrategy(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<StrategyItem[]> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.find((s) => s.serviceName === service && s.status === 'ACTIVE');
  if (!found)
    throw new ServiceNotFoundError(
      `service ${service} in ${cluster} is not ACTIVE: ${JSON.stringify(out.failures ?? [])}`,
    );
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
  return (found.capacityProviderStrategy ?? []).map((s) => ({
    capacityProvider: s.capacityProvider ?? '',
    base: s.base ?? 0,
    weight: s.weight ?? 0,
  }));
}

/** Same providers with the same base and weight, in any order. */
export function sameStrategy(a: readonly StrategyItem[], b: readonly StrategyItem[]): boolean {
  const key = (s: readonly StrategyItem[]) =>
    s
      .map((i) => `${i.capacityProvider}:${i.base}:${i.weight}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** The shift itself: the new strategy and a new deployment, so running tasks move too. */
export async function applyStrategy(
  ecs: ECSClient,
  cluster: string,
  service: string,
  strategy: readonly StrategyItem[],
): Promise<void> {
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
  await ecs.send(
    new UpdateServiceCommand({
      cluster,
      service,
      capacityProviderStrategy: strategy.map((s) => ({ ...s })),
      forceNewDeployment: true,
    }),
  );
}
