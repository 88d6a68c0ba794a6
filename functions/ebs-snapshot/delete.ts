import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBStreamRecord } from '@aws-lambda-powertools/parser/schemas';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { errorText, InvalidEventError } from '../shared/errors';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { parseEvent } from '../shared/parse';
import type { DeleteConfig } from './config';
import { SnapshotDeleteError, SnapshotInUseError } from './errors';
import { DELETE_METRICS } from './metric-names';

export interface DeleteDeps {
  readonly ec2: EC2Client;
}

type RecordOutcome = 'deleted' | 'already-deleted' | 'ignored';

interface DeleteCounts {
  deleted: number;
  alreadyDeleted: number;
  ignored: number;
  inUse: number;
  failed: number;
}

const SNAPSHOT_ID = /^snap-[0-9a-f]+$/;

/** Why a record is not a TTL expiry of a snapshot record (the mapping's filter should drop these). */
function ignoreReason(record: ReturnType<typeof DynamoDBStreamRecord.parse>): string | undefined {
  if (record.eventName !== 'REMOVE') return `event ${record.eventName}`;
  if (
    record.userIdentity?.type !== 'Service' ||
    record.userIdentity.principalId !== 'dynamodb.amazonaws.com'
  ) {
    return 'REMOVE not made by DynamoDB TTL';
  }
  const id = (record.dynamodb.OldImage as Record<string, unknown> | undefined)?.snapshot_id;
  if (typeof id !== 'string' || !SNAPSHOT_ID.test(id)) return 'not a snapshot record';
  return undefined;
}

/**
 * Handles one stream record: deletes the snapshot of a TTL-expired record, ignores anything else.
 * Throws (so the record is reported as a batch item failure) when the snapshot is in use or the
 * delete fails.
 */
async function deleteExpiredSnapshot(
  deps: DeleteDeps,
  config: DeleteConfig,
  raw: DynamoDBRecord,
): Promise<RecordOutcome> {
  const record = parseEvent(
    DynamoDBStreamRecord,
    raw,
    `a DynamoDB stream record (event ${raw.eventID ?? 'without id'})`,
  );
  const reason = ignoreReason(record);
  if (reason) {
    logger.info('stream record ignored', {
      reason,
      eventID: record.eventID,
      eventName: record.eventName,
      key: (record.dynamodb.Keys as Record<string, unknown>).snapshot_id,
    });
    return 'ignored';
  }
  const snapshotId = (record.dynamodb.OldImage as { snapshot_id: string }).snapshot_id;
  try {
    await deps.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    logger.info('expired snapshot deleted', { snapshotId, eventID: record.eventID });
    return 'deleted';
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'InvalidSnapshot.NotFound') {
      // NotFound on a retry of our own call: the earlier attempt deleted it and its reply was lost.
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      if (attempts > 1) {
        logger.info('expired snapshot deleted (an earlier attempt, whose reply was lost)', {
          snapshotId,
          eventID: record.eventID,
          attempts,
        });
        return 'deleted';
      }
      logger.info('expired snapshot already gone', { snapshotId, eventID: record.eventID });
      return 'already-deleted';
    }
    if (name === 'InvalidSnapshot.InUse') {
      logger.error('expired snapshot is in use (e.g. by an AMI) and was not deleted', {
        snapshotId,
        eventID: record.eventID,
        error: error instanceof Error ? error.message : String(error),
      });
      throw new SnapshotInUseError(`snapshot ${snapshotId} is in use and cannot be deleted`, {
        cause: error,
      });
    }
    logger.error('could not delete expired snapshot', {
      snapshotId,
      eventID: record.eventID,
      managedBy: config.managedBy,
      error: errorText(error),
    });
    throw new SnapshotDeleteError(`could not delete snapshot ${snapshotId}`, { cause: error });
  }
}

/**
 * Processes a stream batch record by record; returns `batchItemFailures` naming only the failed
 * records (Lambda retries from there; after the mapping's maximum retries they go to the DLQ).
 */
export async function deleteExpiredSnapshots(
  deps: DeleteDeps,
  config: DeleteConfig,
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<{ response: DynamoDBBatchResponse; counts: DeleteCounts }> {
  const counts: DeleteCounts = { deleted: 0, alreadyDeleted: 0, ignored: 0, inUse: 0, failed: 0 };
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const recordHandler = async (record: DynamoDBRecord): Promise<RecordOutcome> => {
    try {
      const outcome = await deleteExpiredSnapshot(deps, config, record);
      if (outcome === 'deleted') counts.deleted++;
      else if (outcome === 'already-deleted') counts.alreadyDeleted++;
      else counts.ignored++;
      return outcome;
    } catch (error) {
      if (error instanceof SnapshotInUseError) counts.inUse++;
      else counts.failed++;
      if (error instanceof InvalidEventError)
        logger.error('malformed stream record; reported as a batch item failure', {
          eventID: record.eventID,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          error: errorText(error),
        });
      throw error;
    }
  };
  const response = await processPartialResponse(event, recordHandler, processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
  return { response, counts };
}

/** One structured log line and the EMF metrics for a processed batch. */
export function reportBatch(counts: DeleteCounts, records: number): void {
  logger.info('stream batch processed', { records, ...counts });
  metrics.addMetric(DELETE_METRICS.deleted, MetricUnit.Count, counts.deleted);
  metrics.addMetric(DELETE_METRICS.deleteFailed, MetricUnit.Count, counts.failed);
  metrics.addMetric(DELETE_METRICS.inUse, MetricUnit.Count, counts.inUse);
  metrics.publishStoredMetrics();
}
