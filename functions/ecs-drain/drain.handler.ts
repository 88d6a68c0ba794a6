import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createAutoScalingClient, createEcsClient, createSqsClient } from './clients';
import { DrainEnvSchema } from './config';
import { checkDrain, type DrainDeps, startDrain } from './drain';
import { parseCheckRecord, parseDrainEvent } from './events';
import type { AutoScalingMessage } from './schemas';
import { TERMINATING } from './schemas';

const config = readEnv(DrainEnvSchema);
const deps: DrainDeps = {
  ecs: createEcsClient(),
  autoScaling: createAutoScalingClient(),
  sqs: createSqsClient(),
  config,
  now: () => Date.now(),
};
const processor = new BatchProcessor(EventType.SQS);

async function onNotification(message: AutoScalingMessage): Promise<void> {
  if ('Event' in message) {
    logger.info('ignoring Auto Scaling test notification', {
      autoScalingGroupName: message.AutoScalingGroupName,
      requestId: message.RequestId,
    });
    return;
  }
  if (message.LifecycleTransition !== TERMINATING) {
    logger.info('ignoring lifecycle transition this function does not handle', {
      lifecycleTransition: message.LifecycleTransition,
      ec2InstanceId: message.EC2InstanceId,
      autoScalingGroupName: message.AutoScalingGroupName,
    });
    return;
  }
  await startDrain(deps, message);
}

async function onCheck(record: SQSRecord): Promise<void> {
  try {
    await checkDrain(deps, parseCheckRecord(record));
  } catch (error) {
    // Reported as a batch item failure: SQS redelivers it after the visibility timeout, then dead-letters it.
    logger.error('re-check failed; SQS will retry it', {
      messageId: record.messageId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      error,
    });
    throw error;
  }
}

/**
 * ECS container-instance drain before Auto Scaling terminates the instance.
 * Invoked by SNS (lifecycle hook notifications) and by SQS (its own delayed re-checks, partial batch response).
 */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<SQSBatchResponse | void> => {
  logger.addContext(context);
  const parsed = parseDrainEvent(event);
  if (parsed.kind === 'sqs') {
    // Failed records are returned as batchItemFailures, even when all failed, so retries are per message.
    return processPartialResponse(parsed.event, onCheck, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  }
  for (const message of parsed.messages) await onNotification(message);
};
