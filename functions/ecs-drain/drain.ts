import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
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
import { completeContinue, recordHeartbeat } from './lifecycle';
import { CHECK_MESSAGE_KIND, type DrainCheckMessage, type LifecycleNotification } from './schemas';
import { type DrainOutcome, recordOutcome, recordStandaloneStopped } from './telemetry';

export interface DrainDeps {
  readonly ecs: ECSClient;
  readonly autoScaling: AutoScalingClient;
  readonly sqs: SQSClient;
  readonly config: DrainConfig;
  /** Epoch milliseconds; injectable so tests can move time. */
  readonly now: () => number;
}

/** What one check did. */
type CheckResult =
  | {
      readonly status: 'completed';
      readonly outcome: DrainOutcome;
      readonly remainingTasks: number;
    }
  /** The lifecycle action was already over (completed by an overlapping check, or timed out): chain stopped. */
  | { readonly status: 'already-finished' }
  /** Tasks still run: heartbeat recorded and the next check queued. */
  | {
      readonly status: 'waiting';
      readonly remainingTasks: number;
      readonly nextCheck: number;
      readonly delaySeconds: number;
    };

/** How many remaining tasks a timeout log line lists. */
const LOGGED_TASKS = 50;

const toIso = (ms: number) => new Date(ms).toISOString();

function logKeys(state: DrainCheckMessage) {
  const { ec2InstanceId, autoScalingGroupName, lifecycleHookName, requestId, check } = state;
  return { ec2InstanceId, autoScalingGroupName, lifecycleHookName, requestId, check };
}

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

export async function startDrain(
  deps: DrainDeps,
  notification: LifecycleNotification,
): Promise<CheckResult> {
  const state = initialCheck(notification, deps.config, deps.now());
  logger.info('drain requested', {
    ...logKeys(state),
    drainStartedAt: state.drainStartedAt,
    deadline: state.deadline,
  });
  return checkDrain(deps, state);
}

/**
 * One check of a draining instance. Every step is idempotent, so duplicate or overlapping checks of the same
 * lifecycle action are harmless; the first to complete the action wins and the others stop on "no active action".
 *
 * 1. Find the container instance by EC2 instance id. None: complete CONTINUE (NotInCluster on the first check).
 * 2. Heartbeat: proves the action is still open (else stop, touching nothing) and keeps the hook from timing out.
 * 3. DRAINING (if not yet), then list the tasks that have not reached STOPPED.
 * 4. None left: complete CONTINUE (Completed).
 * 5. Standalone tasks past STANDALONE_TASK_GRACE_SECONDS are stopped; service tasks are left to ECS.
 * 6. Past the deadline: complete CONTINUE anyway (TimedOut), logging what still runs.
 * 7. Else queue the next check with a delay (the last step, so a failure before it never forks the chain).
 */
export async function checkDrain(deps: DrainDeps, state: DrainCheckMessage): Promise<CheckResult> {
  const { ecs, autoScaling, config } = deps;
  const keys = logKeys(state);

  const instances = await findContainerInstances(ecs, config.cluster, state.ec2InstanceId);
  if (instances.length === 0) {
    const outcome: DrainOutcome = state.check === 1 ? 'NotInCluster' : 'Completed';
    logger.info('no container instance for this EC2 instance in the cluster', {
      ...keys,
      cluster: config.cluster,
    });
    return finish(deps, state, outcome, []);
  }

  if ((await recordHeartbeat(autoScaling, state)) === 'gone') {
    logger.info('lifecycle action already finished; stopping this check chain', keys);
    return { status: 'already-finished' };
  }

  const drained = await setDraining(ecs, config.cluster, instances);
  if (drained.length > 0)
    logger.info('container instance set to DRAINING', { ...keys, containerInstanceArns: drained });

  const remaining = await listUnstoppedTasks(
    ecs,
    config.cluster,
    instances.map((ci) => ci.arn),
  );
  if (remaining.length === 0) return finish(deps, state, 'Completed', remaining);

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

  if (timedOut) {
    logger.warn(
      'drain exceeded MAX_DRAIN_SECONDS; letting the termination proceed with tasks still on the instance',
      {
        ...keys,
        maxDrainSeconds: config.maxDrainSeconds,
        remainingTasks: remaining.length,
        tasks: remaining.slice(0, LOGGED_TASKS).map(describeTask),
      },
    );
    return finish(deps, state, 'TimedOut', remaining);
  }

  const milestones = [
    deadline,
    ...(standaloneRunning.length > 0 && now < graceEnds ? [graceEnds] : []),
  ];
  const untilMilestone = Math.ceil((Math.min(...milestones) - now) / 1000);
  const delaySeconds = Math.max(
    1,
    Math.min(config.checkIntervalSeconds, untilMilestone, MAX_SQS_DELAY_SECONDS),
  );
  const next: DrainCheckMessage = { ...state, check: state.check + 1 };
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

async function finish(
  deps: DrainDeps,
  state: DrainCheckMessage,
  outcome: DrainOutcome,
  remaining: readonly TaskView[],
): Promise<CheckResult> {
  const keys = logKeys(state);
  if ((await completeContinue(deps.autoScaling, state)) === 'gone') {
    logger.info('lifecycle action already finished; nothing to complete', { ...keys, outcome });
    return { status: 'already-finished' };
  }
  const durationSeconds = Math.max(0, (deps.now() - Date.parse(state.drainStartedAt)) / 1000);
  recordOutcome(outcome, durationSeconds);
  logger.info('lifecycle action completed (CONTINUE)', { ...keys, outcome, durationSeconds });
  return { status: 'completed', outcome, remainingTasks: remaining.length };
}
