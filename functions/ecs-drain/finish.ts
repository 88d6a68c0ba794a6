import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { logger } from '../shared/logger';
import type { DrainConfig } from './config';
import type { TaskView } from './ecs';
import type { DrainLedger, LedgerEntry } from './ledger';
import { completeContinue } from './lifecycle';
import type { DrainCheckMessage } from './schemas';
import { type DrainOutcome, recordOutcome } from './telemetry';

export interface DrainDeps {
  readonly ecs: ECSClient;
  readonly autoScaling: AutoScalingClient;
  readonly sqs: SQSClient;
  readonly ledger: DrainLedger;
  readonly config: DrainConfig;
  /** Epoch milliseconds; injectable so tests can move time. */
  readonly now: () => number;
}

/** What one check did. */
export type CheckResult =
  | {
      readonly status: 'completed';
      readonly outcome: DrainOutcome;
      readonly remainingTasks: number;
    }
  /** The lifecycle action ended without this chain (hook timeout, someone else): chain stopped. */
  | { readonly status: 'already-finished' }
  /** Another message holds this check, or the chain moved past it: dropped, so the drain keeps one chain. */
  | { readonly status: 'duplicate' }
  /** Tasks still run: heartbeat recorded and the next check queued. */
  | {
      readonly status: 'waiting';
      readonly remainingTasks: number;
      readonly nextCheck: number;
      readonly delaySeconds: number;
    };

export function logKeys(state: DrainCheckMessage) {
  const { ec2InstanceId, autoScalingGroupName, lifecycleHookName, requestId, check } = state;
  return { ec2InstanceId, autoScalingGroupName, lifecycleHookName, requestId, check };
}

/**
 * Who runs a check: the message that carries it (its claim survives redeliveries and Lambda's retries of the
 * same event) and this invocation (the outcome's owner: two invocations of one message never both record it).
 */
export interface CheckOwner {
  readonly messageId: string;
  readonly invocationId: string;
}

/** Records the outcome, once per drain: only the invocation that takes it in the ledger emits the metrics. */
async function recordOnce(
  deps: DrainDeps,
  state: DrainCheckMessage,
  owner: CheckOwner,
  outcome: DrainOutcome,
  completedAtMs: number,
): Promise<void> {
  const keys = logKeys(state);
  const durationSeconds = Math.max(0, (completedAtMs - Date.parse(state.drainStartedAt)) / 1000);
  if (!(await deps.ledger.takeOutcome(state.lifecycleActionToken, owner.invocationId))) {
    logger.info('drain outcome already recorded by another check', { ...keys, outcome });
    return;
  }
  recordOutcome(outcome, durationSeconds);
  logger.info('lifecycle action completed (CONTINUE)', { ...keys, outcome, durationSeconds });
}

/**
 * Completes the lifecycle action with CONTINUE and records the outcome. The ledger notes the outcome first,
 * so a completion whose reply is lost is recognised later. "No active Lifecycle Action" here, right after
 * this check's own heartbeat found the action open, is this chain's own completion whose reply was lost
 * (the SDK retried it): no other chain holds the check, and the hook cannot time out in between.
 */
export async function finish(
  deps: DrainDeps,
  state: DrainCheckMessage,
  owner: CheckOwner,
  outcome: DrainOutcome,
  remaining: readonly TaskView[],
): Promise<CheckResult> {
  const at = deps.now();
  await deps.ledger.markCompleting(state.lifecycleActionToken, outcome, at);
  if ((await completeContinue(deps.autoScaling, state)) === 'gone')
    logger.info(
      'CompleteLifecycleAction found the action over: its first attempt had completed it',
      {
        ...logKeys(state),
        outcome,
      },
    );
  await recordOnce(deps, state, owner, outcome, at);
  return { status: 'completed', outcome, remainingTasks: remaining.length };
}

/**
 * The heartbeat found the action over. When the ledger says this chain was completing it, a completion
 * whose every reply was lost did complete it: record that outcome (once). Otherwise the action ended
 * without this chain (the hook's heartbeat timeout, or a person): stop, touching nothing.
 */
export async function finishedElsewhere(
  deps: DrainDeps,
  state: DrainCheckMessage,
  owner: CheckOwner,
  entry: LedgerEntry,
): Promise<CheckResult> {
  const { completing } = entry;
  if (!completing) {
    logger.warn('lifecycle action ended without this drain (hook timeout?); chain stopped', {
      ...logKeys(state),
    });
    return { status: 'already-finished' };
  }
  await recordOnce(deps, state, owner, completing.outcome, completing.atMs);
  return { status: 'completed', outcome: completing.outcome, remainingTasks: 0 };
}
