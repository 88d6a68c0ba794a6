import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type ECSClient, paginateListTasks } from '@aws-sdk/client-ecs';
import { OpsError } from '../shared/errors';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { findContainerInstances } from './ecs';
import type { SpotSignalConfig } from './spot-config';
import { parseSignalDetails, parseSignalHeader } from './spot-events';
import { firstToCount } from './spot-seen';
import {
  INSTANCE_TYPE_DIMENSION,
  SIGNAL_DIMENSION,
  SPOT_SIGNAL_METRICS,
  type SpotSignal,
  ZONE_DIMENSION,
} from './spot-metric-names';

/**
 * Auto Scaling tags every instance it launches with its group's name under this key, which nobody can edit
 * or delete (aws: prefix): https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-tagging.html
 */
const GROUP_TAG = 'aws:autoscaling:groupName';
/** Dimension value when EC2 leaves a field out (CloudWatch refuses empty dimension values). */
const UNKNOWN = 'unknown';

/** EC2 does not know the instance the event names; thrown, so Lambda retries and then dead-letters the event. */
export class InstanceNotFoundError extends OpsError {}

export interface SpotSignalDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ddb: DynamoDBClient;
  readonly config: SpotSignalConfig;
  readonly now: () => number;
}

interface InstanceView {
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly groupName?: string;
}

export interface ContainerInstanceReport {
  readonly arn: string;
  readonly status: string;
  /** Tasks ECS wants running on it: the ones the signal will move. */
  readonly runningTasks: readonly string[];
}

export type SignalReport =
  | { readonly outcome: 'duplicate'; readonly signal: SpotSignal; readonly eventId: string }
  | {
      readonly outcome: 'ignored';
      readonly signal: SpotSignal;
      readonly instanceId: string;
      readonly groupName?: string;
    }
  | {
      readonly outcome: 'recorded';
      readonly signal: SpotSignal;
      readonly instanceId: string;
      readonly groupName: string;
      readonly instanceType: string;
      readonly availabilityZone: string;
      readonly eventId: string;
      readonly eventTime: string;
      readonly instanceAction?: string;
      /** Normally one; none when the instance never joined the cluster or has left it. */
      readonly containerInstances: readonly ContainerInstanceReport[];
    };

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<InstanceView> {
  let out;
  try {
    out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  } catch (error) {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    if (error instanceof Error && error.name === 'InvalidInstanceID.NotFound')
      throw new InstanceNotFoundError(`EC2 does not know instance ${instanceId}`, { cause: error });
    throw error;
  }
  const instance = (out.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .find((i) => i.InstanceId === instanceId);
  if (!instance)
    throw new InstanceNotFoundError(`DescribeInstances returned no instance ${instanceId}`);
  const groupName = instance.Tags?.find((t) => t.Key === GROUP_TAG)?.Value;
  return {
    instanceType: instance.InstanceType ?? UNKNOWN,
    availabilityZone: instance.Placement?.AvailabilityZone ?? UNKNOWN,
    ...(groupName !== undefined ? { groupName } : {}),
  };
}

async function runningTasks(
  ecs: ECSClient,
  cluster: string,
  containerInstance: string,
): Promise<string[]> {
  const arns: string[] = [];
  const pages = paginateListTasks(
    { client: ecs },
    { cluster, containerInstance, desiredStatus: 'RUNNING' },
  );
  for await (const page of pages) arns.push(...(page.taskArns ?? []));
  return arns;
}

/** One count under {service, Signal} (the alarm's) and one under {service, Signal, InstanceType, AvailabilityZone}. */
function recordSignal(signal: SpotSignal, instance: InstanceView): void {
  const total = metrics.singleMetric();
  total.addDimension(SIGNAL_DIMENSION, signal);
  total.addMetric(SPOT_SIGNAL_METRICS.signals, MetricUnit.Count, 1);
  const detail = metrics.singleMetric();
  detail.addDimension(SIGNAL_DIMENSION, signal);
  detail.addDimension(INSTANCE_TYPE_DIMENSION, instance.instanceType);
  detail.addDimension(ZONE_DIMENSION, instance.availabilityZone);
  detail.addMetric(SPOT_SIGNAL_METRICS.signals, MetricUnit.Count, 1);
}

/**
 * A Spot interruption warning or rebalance recommendation: finds the instance (type, zone, group), ignores
 * it unless one of this stack's groups launched it, then ties it to the ECS container instance and its
 * running tasks in one log line and counts it. The count comes last, so an attempt that fails (and is
 * retried by Lambda) has counted nothing, and only the first invocation for an event id counts it (a second
 * delivery logs at info, as a duplicate, and counts nothing). `invocation`: the Lambda request id.
 */
export async function handleSpotSignal(
  deps: SpotSignalDeps,
  event: unknown,
  invocation: string,
): Promise<SignalReport> {
  const { signal, instanceId } = parseSignalHeader(event);
  const instance = await describeInstance(deps.ec2, instanceId);
  const { groupName } = instance;
  if (groupName === undefined || !deps.config.groupNames.includes(groupName)) {
    const ignored = {
      outcome: 'ignored',
      signal,
      instanceId,
      ...(groupName !== undefined ? { groupName } : {}),
    } as const;
    logger.info('ignoring a Spot signal about an instance of no group of this stack', ignored);
    return ignored;
  }

  const details = parseSignalDetails(event, signal);
  const { cluster } = deps.config;
  const containerInstances: ContainerInstanceReport[] = [];
  for (const ci of await findContainerInstances(deps.ecs, cluster, instanceId)) {
    containerInstances.push({
      arn: ci.arn,
      status: ci.status,
      runningTasks: await runningTasks(deps.ecs, cluster, ci.arn),
    });
  }
  const report: SignalReport = {
    outcome: 'recorded',
    signal,
    instanceId,
    groupName,
    instanceType: instance.instanceType,
    availabilityZone: instance.availabilityZone,
    ...details,
    containerInstances,
  };
  const { seenTableName } = deps.config;
  if (
    !(await firstToCount(
      deps.ddb,
      seenTableName,
      `${signal}/${details.eventId}`,
      invocation,
      deps.now(),
    ))
  ) {
    const duplicate = { outcome: 'duplicate', signal, eventId: details.eventId } as const;
    logger.info('this event was already counted by another invocation', { ...report, duplicate });
    return duplicate;
  }
  logger.warn(
    containerInstances.length > 0
      ? `${signal} for a container instance of ${cluster}: its running tasks will move`
      : `${signal} for an instance that is no container instance of ${cluster}`,
    report,
  );
  recordSignal(signal, instance);
  return report;
}
