import {
  type AutoScalingClient,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';

/** Identifies one lifecycle action: the instance waiting in Terminating:Wait for this hook. */
interface LifecycleActionRef {
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  readonly lifecycleActionToken: string;
  readonly ec2InstanceId: string;
}

/**
 * Auto Scaling answers a heartbeat or completion for an action that is already over (completed by another
 * check, abandoned, or timed out) with ValidationError "No active Lifecycle Action found with token ...".
 */
function isNoActiveLifecycleAction(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationError' &&
    /No active Lifecycle Action found/i.test(error.message)
  );
}

function input(ref: LifecycleActionRef) {
  return {
    AutoScalingGroupName: ref.autoScalingGroupName,
    LifecycleHookName: ref.lifecycleHookName,
    LifecycleActionToken: ref.lifecycleActionToken,
    InstanceId: ref.ec2InstanceId,
  };
}

/** Restarts the hook's heartbeat timeout; 'gone' when the action is already over (stop the chain). */
export async function recordHeartbeat(
  autoScaling: AutoScalingClient,
  ref: LifecycleActionRef,
): Promise<'active' | 'gone'> {
  try {
    await autoScaling.send(new RecordLifecycleActionHeartbeatCommand(input(ref)));
    return 'active';
  } catch (error) {
    if (isNoActiveLifecycleAction(error)) return 'gone';
    throw error;
  }
}

/**
 * Lets the termination proceed (CONTINUE: for a terminating hook both results terminate the instance, and
 * CONTINUE lets the group's other hooks still run). 'gone' when someone else already ended the action.
 */
export async function completeContinue(
  autoScaling: AutoScalingClient,
  ref: LifecycleActionRef,
): Promise<'completed' | 'gone'> {
  try {
    await autoScaling.send(
      new CompleteLifecycleActionCommand({ ...input(ref), LifecycleActionResult: 'CONTINUE' }),
    );
    return 'completed';
  } catch (error) {
    if (isNoActiveLifecycleAction(error)) return 'gone';
    throw error;
  }
}
