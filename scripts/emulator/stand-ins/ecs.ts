import type { AwsRequest, Reply } from '../aws/wire';
import type { FixUp, StandInModule } from './types';

type Json = Record<string, unknown>;

/** Service fields moto 5.2 accepts in CreateService/UpdateService and leaves out of every Service it returns. */
export const KEPT_FIELDS = [
  'capacityProviderStrategy',
  'placementStrategy',
  'placementConstraints',
  'healthCheckGracePeriodSeconds',
  'enableECSManagedTags',
  'enableExecuteCommand',
  'availabilityZoneRebalancing',
] as const;

/** Drops a networkConfiguration without awsvpcConfiguration from a service and its deployments. */
export function dropEmptyNetworkConfiguration(service: Json): void {
  const holders = [service, ...((service.deployments as Json[] | undefined) ?? [])];
  for (const holder of holders) {
    const config = holder.networkConfiguration as Json | undefined;
    if (config !== undefined && !config.awsvpcConfiguration) delete holder.networkConfiguration;
  }
}

/**
 * Reports a service as ECS does once its tasks run: moto never places a task, so it describes runningCount 0
 * and a deployment IN_PROGRESS forever, and an apply with wait_for_steady_state waits until it times out.
 * Steady: one PRIMARY deployment, COMPLETED, running the desired count
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html).
 */
export function reportSteady(service: Json): void {
  const desired = Number(service.desiredCount ?? 0);
  Object.assign(service, { runningCount: desired, pendingCount: 0 });
  const deployments = (service.deployments as Json[] | undefined) ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return;
  Object.assign(primary, {
    runningCount: desired,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment completed.',
  });
  service.deployments = [primary];
}

const lastPart = (nameOrArn: string) => nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);

/**
 * ECS services, as https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html describes them:
 * - moto answers `networkConfiguration: {}` for a service that does not use awsvpc; AWS leaves the field out
 *   (it describes awsvpc tasks only), and the AWS provider dereferences the missing awsvpcConfiguration and
 *   panics (flattenNetworkConfiguration) while reading the service;
 * - moto drops KEPT_FIELDS; the capacity provider strategy alone makes every re-plan replace the service.
 *   They are kept per service from the last request that set them, and a service with a capacity provider
 *   strategy has no launchType (the two are exclusive);
 * - moto never runs a task: reportSteady.
 */
export function ecsStandIns(): StandInModule {
  const kept = new Map<string, Json>();
  const keyOf = (cluster: unknown, service: unknown) =>
    `${lastPart(String(cluster ?? 'default'))}/${lastPart(String(service ?? ''))}`;
  const remember = (req: AwsRequest) => {
    const p = req.params;
    const key = keyOf(p.cluster, p.serviceName ?? p.service);
    const fields = Object.fromEntries(KEPT_FIELDS.filter((f) => f in p).map((f) => [f, p[f]]));
    kept.set(key, { ...kept.get(key), ...fields });
  };
  const complete = (service: Json) => {
    dropEmptyNetworkConfiguration(service);
    if (service.status === 'ACTIVE') reportSteady(service);
    const fields = kept.get(keyOf(service.clusterArn, service.serviceName));
    if (!fields) return;
    for (const [name, value] of Object.entries(fields)) service[name] ??= value;
    const strategy = service.capacityProviderStrategy as unknown[] | undefined;
    if (strategy && strategy.length > 0) delete service.launchType;
  };
  const fix = (_req: AwsRequest, reply: Reply): Reply => {
    if (reply.status !== 200 || !reply.body) return reply;
    const body = JSON.parse(reply.body) as Json;
    for (const service of (body.services as Json[] | undefined) ?? []) complete(service);
    if (body.service) complete(body.service as Json);
    return { ...reply, body: JSON.stringify(body) };
  };
  const docs = (op: string) =>
    `https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_${op}.html`;
  const fixUps: FixUp[] = [
    {
      service: 'ecs',
      operation: 'CreateService',
      docs: docs('CreateService'),
      observe: remember,
      fix,
    },
    {
      service: 'ecs',
      operation: 'UpdateService',
      docs: docs('UpdateService'),
      observe: remember,
      fix,
    },
    { service: 'ecs', operation: 'DescribeServices', docs: docs('DescribeServices'), fix },
    {
      service: 'ecs',
      operation: 'DeleteService',
      docs: docs('DeleteService'),
      fix(req, reply) {
        const fixed = fix(req, reply);
        if (reply.status === 200) kept.delete(keyOf(req.params.cluster, req.params.service));
        return fixed;
      },
    },
  ];
  return { standIns: [], fixUps };
}
