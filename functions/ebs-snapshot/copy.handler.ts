import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { readEnv } from '../shared/env';
import { errorText, OpsError } from '../shared/errors';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { parseEvent } from '../shared/parse';
import { createDynamoDbClient, createEc2Client, regionalEc2Clients } from './clients';
import { CopyEnvSchema } from './config';
import { copySnapshot, noCopies, type CopyCounts, type CopyDeps } from './copy';
import { completedSnapshots } from './copy-event';
import { COPY_METRICS } from './metric-names';

/** A message with a copy still to make: a batch item failure, delivered again after the visibility timeout. */
export class CopyPendingError extends OpsError {}

const config = readEnv(CopyEnvSchema);
const ec2For = regionalEc2Clients(createEc2Client());
const ddb = createDynamoDbClient();

const SqsBatchSchema = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});

/** Copies the snapshots of one message's event; throws while any copy is left for a later delivery. */
async function copyMessage(deps: CopyDeps, record: SQSRecord, counts: CopyCounts): Promise<void> {
  const { region, snapshotIds } = completedSnapshots(record.body);
  // The rule is in the home Region; an event of another Region names snapshots this function cannot copy from.
  if (region !== config.homeRegion) {
    logger.warn('snapshot event of another Region; ignored', {
      region,
      messageId: record.messageId,
    });
    counts.ignored += snapshotIds.length;
    return;
  }
  let done = true;
  for (const snapshotId of snapshotIds)
    done = (await copySnapshot(deps, config, snapshotId, counts)) && done;
  if (!done)
    throw new CopyPendingError(
      `copies of ${snapshotIds.join(', ')} not all made; the message is delivered again`,
    );
}

/**
 * The copy queue's consumer: each message holds one EBS snapshot completion event (forwarded by the rule);
 * each completed snapshot of this deployment is copied to every destination Region. Messages with a copy
 * still to make are batch item failures: SQS delivers them again after the visibility timeout, and after the
 * queue's maxReceiveCount moves them to the failure queue.
 */
export async function handler(event: unknown, context?: Context): Promise<SQSBatchResponse> {
  if (context) logger.addContext(context);
  const { Records } = parseEvent(SqsBatchSchema, event, 'an SQS event');
  const counts = noCopies();
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(
    event as SQSEvent,
    async (record: SQSRecord) => {
      try {
        await copyMessage(
          { ec2For, ddb, now: () => new Date(), attempt: record.messageId },
          record,
          counts,
        );
      } catch (error) {
        if (!(error instanceof CopyPendingError))
          logger.error('copy message failed', {
            messageId: record.messageId,
            error: errorText(error),
          });
        throw error;
      }
    },
    processor,
    { ...(context ? { context } : {}), throwOnFullBatchFailure: false },
  );
  logger.info('copy batch processed', { messages: Records.length, ...counts });
  for (const [key, name] of Object.entries(COPY_METRICS))
    metrics.addMetric(name, MetricUnit.Count, counts[key as keyof CopyCounts]);
  metrics.publishStoredMetrics();
  return response;
}
