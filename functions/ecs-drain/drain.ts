import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { logger } from '../shared/logger';
import type { DrainConfig } from './config';
import { MAX_SQS_DELAY_SECONDS } from './config';
import {
  findContainerInstances,
  listUnstoppedTasks,
  setDraining,
  stopTasks,
  type TaskView,
} from './ecs';
import { randomUUID } from 'node:crypto';
import {
  type CheckOwner,
  type CheckResult,
  type DrainDeps,
  finish,
  finishedElsewhere,
  logKeys,
} from './finish';
import { recordHeartbeat } from './lifecycle';
import { CHECK_MESSAGE_KIND, type DrainCheckMessage, type LifecycleNotification } from './schemas';
import { recordStandaloneStopped } from './telemetry';

export type { CheckOwner, CheckResult, DrainDeps } from './finish';

/** How many remaining tasks a timeout log line lists. */
const LOGGED_TASKS = 50;
/** The ledger keeps a drain's entry this long past its deadline (DynamoDB TTL). */
const LEDGER_RETENTION_SECONDS = 7 * 86_400;

const toIso = (ms: number) => new Date(ms).toISOString();

/**
 * First check for a terminating-instance notification. The drain is timed from the notification's Time
 * (when the instance entered Terminating:Wait), so a duplicate delivery computes the same deadline.
 */
function initialCheck(
  notification: LifecycleNotification,
  config: DrainConfig,
  nowMs: number,
): DrainCheckMessage {
  const startedAt = Math.min(Date.parse(notification.Time), nowMs);
  return {
    kind: CHECK_MESSAGE_KIND,
    version: 1,
    autoScalingGroupName: notification.AutoScalingGroupName,
    lifecycleHookName: notification.LifecycleHookName,
    lifecycleActionToken: notification.LifecycleActionToken,
    ec2InstanceId: notification.EC2InstanceId,
    requestId: notification.RequestId,
    drainStartedAt: toIso(startedAt),
    deadline: toIso(startedAt + config.maxDrainSeconds * 1000),
    check: 1,
  };
}

/**
 * `messageId` identifies the message that carries the check: the SNS MessageId for the first check (Lambda
 * retries a failed invocation with the same event), the SQS messageId for re-checks (a redelivery keeps it).
 * `invocationId` is new for every invocation.
 */
export async function startDrain(
  deps: DrainDeps,
  notification: LifecycleNotification,
  messageId: string,
  invocationId: string = randomUUID(),
): Promise<CheckResult> {
  const state = initialCheck(notification, deps.config, deps.now());
  logger.info('drain requested', {
    ...logKeys(state),
    drainStartedAt: state.drainStartedAt,
    deadline: state.deadline,
  });
  return checkDrain(deps, state, messageId, invocationId);
}

/**
 * One check of a draining instance. Every step is idempotent; the ledger lets one message per check through,
 * so a drain keeps one chain even when SQS or a retried SendMessage delivers a check twice.
 *
 * 0. Claim the check in the ledger. Refused (another message holds it, or the chain moved on): stop.
 * 1. Heartbeat: proves the action is still open and keeps the hook from timing out. Over: if this chain was
 *    completing it (a completion whose reply was lost), record the outcome; else stop, touching nothing.
 * 2. Find the container instance by EC2 instance id. None: complete CONTINUE (NotInCluster on the first check).
 * 3. DRAINING (if not yet), then list the tasks that have not reached STOPPED.
 * 4. None left: complete CONTINUE (Completed).
 * 5. Standalone tasks past STANDALONE_TASK_GRACE_SECONDS are stopped; service tasks are left to ECS.
 * 6. Past the deadline: complete CONTINUE anyway (TimedOut), logging what still runs. Likewise when the
 *    container agent has been disconnected for AGENT_DISCONNECTED_GRACE_SECONDS (AgentDisconnected).
 * 7. Else queue the next check with a delay (the last step, so a failure before it never forks the chain).
 */
export async function checkDrain(
  deps: DrainDeps,
  state: DrainCheckMessage,
  messageId: string,
  invocationId: string = randomUUID(),
): Promise<CheckResult> {
  const { ecs, autoScaling, config } = deps;
  const keys = logKeys(state);
  const owner: CheckOwner = { messageId, invocationId };

  const entry = await deps.ledger.claim({
    token: state.lifecycleActionToken,
    check: state.check,
    owner: messageId,
    expiresAt: Math.ceil(Date.parse(state.deadline) / 1000) + LEDGER_RETENTION_SECONDS,
  });
  if (!entry) {
    logger.info('another message holds this check of the drain, or the chain moved on: dropped', {
      ...keys,
      messageId,
    });
    return { status: 'duplicate' };
  }

  if ((await recordHeartbeat(autoScaling, state)) === 'gone')
    return finishedElsewhere(deps, state, owner, entry);

  const instances = await findContainerInstances(ecs, config.cluster, state.ec2InstanceId);
  if (instances.length === 0) {
    logger.info('no container instance for this EC2 instance in the cluster', {
      ...keys,
      cluster: config.cluster,
    });
    return finish(deps, state, owner, state.check === 1 ? 'NotInCluster' : 'Completed', []);
  }

  const drained = await setDraining(ecs, config.cluster, instances);
  if (drained.length > 0)
    logger.info('container instance set to DRAINING', { ...keys, containerInstanceArns: drained });

  const remaining = await listUnstoppedTasks(
    ecs,
    config.cluster,
    instances.map((ci) => ci.arn),
  );
  if (remaining.length === 0) return finish(deps, state, owner, 'Completed', remaining);

  const now = deps.now();
  const startedAt = Date.parse(state.drainStartedAt);
  const deadline = Date.parse(state.deadline);
  const graceEnds = startedAt + config.standaloneTaskGraceSeconds * 1000;
  const timedOut = now >= deadline;

  const standaloneRunning = remaining.filter((t) => t.standalone && t.desiredStatus === 'RUNNING');
  if (standaloneRunning.length > 0 && (timedOut || now >= graceEnds)) {
    const why = timedOut
      ? `drain exceeded MAX_DRAIN_SECONDS (${config.maxDrainSeconds}s)`
      : `standalone task grace of ${config.standaloneTaskGraceSeconds}s elapsed`;
    await stopStandalone(deps, state, standaloneRunning, why);
  }

  const tasksLeft = {
    ...keys,
    remainingTasks: remaining.length,
    tasks: remaining.slice(0, LOGGED_TASKS).map(describeTask),
  };
  if (timedOut) {
    logger.warn(
      'drain exceeded MAX_DRAIN_SECONDS; letting the termination proceed with tasks still on the instance',
      { ...tasksLeft, maxDrainSeconds: config.maxDrainSeconds },
    );
    return finish(deps, state, owner, 'TimedOut', remaining);
  }

  // A disconnected agent never reports its tasks stopped: waiting for it is waiting for the deadline.
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html (agentConnected)
  const disconnectedSince = instances.every((ci) => !ci.agentConnected)
    ? (state.agentDisconnectedSince ?? toIso(now))
    : undefined;
  const agentGraceEnds =
    disconnectedSince === undefined
      ? undefined
      : Date.parse(disconnectedSince) + config.agentDisconnectedGraceSeconds * 1000;
  if (agentGraceEnds !== undefined && now >= agentGraceEnds) {
    logger.warn(
      'container agent disconnected past its grace; letting the termination proceed with tasks still on the instance',
      {
        ...tasksLeft,
        agentDisconnectedSince: disconnectedSince,
        graceSeconds: config.agentDisconnectedGraceSeconds,
      },
    );
    return finish(deps, state, owner, 'AgentDisconnected', remaining);
  }

  const milestones = [
    deadline,
    ...(standaloneRunning.length > 0 && now < graceEnds ? [graceEnds] : []),
    ...(agentGraceEnds !== undefined ? [agentGraceEnds] : []),
  ];
  const untilMilestone = Math.ceil((Math.min(...milestones) - now) / 1000);
  const delaySeconds = Math.max(
    1,
    Math.min(config.checkIntervalSeconds, untilMilestone, MAX_SQS_DELAY_SECONDS),
  );
  const { agentDisconnectedSince: _previous, ...rest } = state;
  const next: DrainCheckMessage = {
    ...rest,
    check: state.check + 1,
    ...(disconnectedSince !== undefined ? { agentDisconnectedSince: disconnectedSince } : {}),
  };
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: config.checkQueueUrl,
      MessageBody: JSON.stringify(next),
      DelaySeconds: delaySeconds,
    }),
  );
  logger.info('tasks still on the instance; next check queued', {
    ...keys,
    remainingTasks: remaining.length,
    standaloneTasks: remaining.filter((t) => t.standalone).length,
    agentDisconnectedSince: disconnectedSince,
    delaySeconds,
  });
  return {
    status: 'waiting',
    remainingTasks: remaining.length,
    nextCheck: next.check,
    delaySeconds,
  };
}

function describeTask({ arn, startedBy: _startedBy, ...rest }: TaskView) {
  return { taskArn: arn, ...rest };
}

async function stopStandalone(
  deps: DrainDeps,
  state: DrainCheckMessage,
  tasks: readonly TaskView[],
  why: string,
): Promise<void> {
  const reason =
    `ops-autopilot ecs-drain: EC2 instance ${state.ec2InstanceId} is being terminated by Auto Scaling group ` +
    `${state.autoScalingGroupName}; ${why}`;
  const { stopped, error } = await stopTasks(
    deps.ecs,
    deps.config.cluster,
    tasks.map((t) => t.arn),
    reason,
  );
  recordStandaloneStopped(stopped.length);
  if (stopped.length > 0)
    logger.info('stopped standalone tasks', { ...logKeys(state), taskArns: stopped });
  if (error) throw error;
}
