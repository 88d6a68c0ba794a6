import { Token } from 'cdktf';
import { numText } from './expr';

/**
 * The timeline of a Spot interruption, from the two-minute notice to the instance's end. EC2 gives the
 * notice 120 s ahead and advises checking for it every 5 seconds
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html); with
 * ECS_ENABLE_SPOT_INSTANCE_DRAINING the agent then sets its instance DRAINING, and the service scheduler
 * stops and replaces the tasks as the service's minimumHealthyPercent allows: below 100 it may stop them at
 * once, at 100 only once their replacements are healthy
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html). A stopped
 * task first leaves the target group (deregistration delay), then gets SIGTERM and, after the stop timeout,
 * SIGKILL.
 */
export const SPOT_TIMELINE = {
  noticeSeconds: 120,
  /** The agent sees the notice in instance metadata and sets DRAINING (twice EC2's 5-second advice). */
  detectionSeconds: 10,
  /** A replacement task on a spare instance: placement, image pull from the regional cache, start. */
  replacementStartSeconds: 30,
  /** Kept free at the end: API latency, clock skew, the time SIGKILL and the instance's shutdown take. */
  marginSeconds: 15,
} as const;

/** What a task's stop takes within the notice when nothing waits for replacements. */
const STOP_BUDGET =
  SPOT_TIMELINE.noticeSeconds - SPOT_TIMELINE.detectionSeconds - SPOT_TIMELINE.marginSeconds;

const budgetText = `the ${SPOT_TIMELINE.noticeSeconds}-second Spot interruption notice, after ${SPOT_TIMELINE.detectionSeconds} s to detect it and with a ${SPOT_TIMELINE.marginSeconds} s margin (at most ${STOP_BUDGET} s)`;

/**
 * Deregistration delay + stop timeout must fit in what the notice leaves once detected, with a margin.
 * Throws, showing the values, when both are plain numbers; tokens are checked by Terraform (see
 * `spotNoticePrecondition`).
 */
export function checkSpotNoticeFit(
  deregistrationDelaySeconds: number,
  containerStopTimeoutSeconds: number,
): void {
  if (
    Token.isUnresolved(deregistrationDelaySeconds) ||
    Token.isUnresolved(containerStopTimeoutSeconds)
  )
    return;
  const total = deregistrationDelaySeconds + containerStopTimeoutSeconds;
  if (total > STOP_BUDGET) {
    throw new Error(
      `deregistration delay (${deregistrationDelaySeconds} s) + container stop timeout (${containerStopTimeoutSeconds} s) = ${total} s does not fit in ${budgetText}`,
    );
  }
}

/** The same rule as a Terraform precondition, for values that are variables. */
export function spotNoticePrecondition(
  deregistrationDelaySeconds: number,
  containerStopTimeoutSeconds: number,
): { condition: string; errorMessage: string } {
  const delay = numText(deregistrationDelaySeconds);
  const stop = numText(containerStopTimeoutSeconds);
  return {
    // Written out: cdktf's Op renders a literal 0 operand as "undefined".
    condition: `\${${delay} + ${stop} <= ${STOP_BUDGET}}`,
    errorMessage: `deregistration delay (${delay} s) + container stop timeout (${stop} s) must fit in ${budgetText}.`,
  };
}

export interface SpotReplacementTimeline {
  /** The Spot service's minimumHealthyPercent. */
  readonly minimumHealthyPercent: number;
  /** The Spot capacity provider's target capacity: below 100 keeps spare instances. */
  readonly targetCapacityPercent: number;
  readonly deregistrationDelaySeconds: number;
  readonly containerStopTimeoutSeconds: number;
  /** Seconds a new target needs to turn healthy: healthy threshold x health check interval. */
  readonly healthyAfterSeconds: number;
  /** Variable names for the message. */
  readonly names: { readonly minimumHealthy: string; readonly targetCapacity: string };
}

/**
 * The whole timeline of a Spot service's tasks on an interrupted instance, as a Terraform precondition.
 * Below 100 % minimum healthy, the tasks stop at once and only their stop must fit (spotNoticePrecondition).
 * At 100 %, they stop only after replacements are healthy: those need a spare instance (target capacity
 * below 100: a new instance takes minutes), then start, health checks, and the old tasks' stop, within the
 * notice.
 */
export function spotReplacementPrecondition(t: SpotReplacementTimeline): {
  condition: string;
  errorMessage: string;
} {
  const [minHealthy, target, delay, stop] = [
    t.minimumHealthyPercent,
    t.targetCapacityPercent,
    t.deregistrationDelaySeconds,
    t.containerStopTimeoutSeconds,
  ].map(numText);
  const fixed =
    SPOT_TIMELINE.detectionSeconds +
    SPOT_TIMELINE.replacementStartSeconds +
    t.healthyAfterSeconds +
    SPOT_TIMELINE.marginSeconds;
  return {
    condition: `\${${minHealthy} < 100 || (${target} < 100 && ${fixed} + ${delay} + ${stop} <= ${SPOT_TIMELINE.noticeSeconds})}`,
    errorMessage:
      `With ${t.names.minimumHealthy} = 100 the tasks of an interrupted Spot instance stop only once their replacements are healthy: ` +
      `detection ${SPOT_TIMELINE.detectionSeconds} s + start ${SPOT_TIMELINE.replacementStartSeconds} s on a spare instance + health checks ${t.healthyAfterSeconds} s + ` +
      `deregistration delay (${delay} s) + stop timeout (${stop} s) + margin ${SPOT_TIMELINE.marginSeconds} s must fit in ${SPOT_TIMELINE.noticeSeconds} s, ` +
      `and spare instances need ${t.names.targetCapacity} (${target}) below 100. Set ${t.names.minimumHealthy} below 100.`,
  };
}
