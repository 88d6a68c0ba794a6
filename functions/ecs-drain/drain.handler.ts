import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import {
  createAutoScalingClient,
  createDynamoDbClient,
  createEcsClient,
  createSqsClient,
} from './clients';
import { DrainEnvSchema } from './config';
import { checkDrain, type DrainDeps, startDrain } from './drain';
import { parseCheckRecord, parseDrainEvent, type SnsNotification } from './events';
import { dynamoDbLedger } from './ledger';

const config = readEnv(DrainEnvSchema);
const deps: DrainDeps = {
  ecs: createEcsClient(),
  autoScaling: createAutoScalingClient(),
  sqs: createSqsClient(),
  ledger: dynamoDbLedger(createDynamoDbClient(), config.ledgerTableName),
  config,
  now: () => Date.now(),
};
const processor = new BatchProcessor(EventType.SQS);

async function onNotification({ messageId, message }: SnsNotification): Promise<void> {
  if (message.kind !== 'terminating') {
    const { header } = message;
    logger.info(
      message.kind === 'test'
        ? 'ignoring Auto Scaling test notification'
        : 'ignoring a notification that is not a terminating lifecycle action',
      {
        event: header.Event,
        lifecycleTransition: header.LifecycleTransition,
        ec2InstanceId: header.EC2InstanceId,
        autoScalingGroupName: header.AutoScalingGroupName,
        requestId: header.RequestId,
        messageId,
      },
    );
    return;
  }
  await startDrain(deps, message.notification, messageId);
}

async function onCheck(record: SQSRecord): Promise<void> {
  try {
    await checkDrain(deps, parseCheckRecord(record), record.messageId);
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
  for (const notification of parsed.notifications) await onNotification(notification);
};
