import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
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
import { recordKeyParts } from './copy-store';
import { deleteSnapshot, type DeleteResult } from './delete-snapshot';
import { SnapshotDeleteError } from './errors';
import { DELETE_METRICS } from './metric-names';

export interface DeleteDeps {
  readonly ec2: EC2Client;
  /** The EC2 client of another Region (a cross-Region copy's record). @default `ec2` for every Region */
  readonly ec2For?: (region: string) => EC2Client;
  readonly ddb: DynamoDBClient;
  readonly now: () => Date;
}

type RecordOutcome = DeleteResult['outcome'] | 'ignored';

export interface DeleteCounts {
  deleted: number;
  alreadyDeleted: number;
  ignored: number;
  inUse: number;
  locked: number;
  failed: number;
}

/** A snapshot record's key: the snapshot id, and for a copy in another Region `@<Region>` (copy-store.ts). */
const SNAPSHOT_KEY = /^snap-[0-9a-f]+(@[a-z]{2}(-[a-z]+)+-\d+)?$/;

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
  if (typeof id !== 'string' || !SNAPSHOT_KEY.test(id)) return 'not a snapshot record';
  return undefined;
}

/**
 * Writes the expired record back with a later ttl, so TTL expires it again and this handler retries the
 * delete then: a failure outlives the stream's 24-hour retention and its failure destination, which gets
 * only the batch's metadata, never the record.
 */
async function writeBack(
  deps: DeleteDeps,
  config: DeleteConfig,
  oldImage: Record<string, AttributeValue>,
  result: Extract<DeleteResult, { retryAt: Date }>,
): Promise<void> {
  const attempts = Number(oldImage.delete_attempts?.N ?? '0') + 1;
  await deps.ddb.send(
    new PutItemCommand({
      TableName: config.tableName,
      Item: {
        ...oldImage,
        ttl: { N: String(Math.floor(result.retryAt.getTime() / 1000)) },
        delete_attempts: { N: String(attempts) },
        last_delete_outcome: { S: result.outcome },
        last_delete_error: { S: result.error.slice(0, 1000) },
      },
    }),
  );
}

/**
 * Handles one stream record: deletes the snapshot of a TTL-expired record, ignores anything else. A
 * delete that fails (in use, locked, or any error) is written back for a later try and counted; only
 * when that write fails too does the record become a batch item failure.
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
  const oldImage = record.dynamodb.OldImage as { snapshot_id: string; region?: unknown };
  const { snapshotId, region: keyRegion } = recordKeyParts(oldImage.snapshot_id);
  // The record's Region, else the key's; neither (every record before copies): the home Region.
  const region = typeof oldImage.region === 'string' ? oldImage.region : keyRegion;
  const ec2 = region && deps.ec2For ? deps.ec2For(region) : deps.ec2;
  const result = await deleteSnapshot(ec2, snapshotId, deps.now());
  if (!('retryAt' in result)) {
    logger.info('expired snapshot deleted', {
      snapshotId,
      outcome: result.outcome,
      ...(region ? { region } : {}),
    });
    return result.outcome;
  }
  logger.error('expired snapshot not deleted; its record is written back for a later try', {
    snapshotId,
    eventID: record.eventID,
    outcome: result.outcome,
    retryAt: result.retryAt.toISOString(),
    managedBy: config.managedBy,
    error: result.error,
  });
  try {
    await writeBack(deps, config, raw.dynamodb?.OldImage as Record<string, AttributeValue>, result);
  } catch (error) {
    throw new SnapshotDeleteError(
      `could not delete snapshot ${snapshotId} (${result.error}) nor write its record back`,
      { cause: error },
    );
  }
  return result.outcome;
}

const COUNTED: Record<RecordOutcome, keyof DeleteCounts> = {
  deleted: 'deleted',
  'already-deleted': 'alreadyDeleted',
  ignored: 'ignored',
  'in-use': 'inUse',
  locked: 'locked',
  failed: 'failed',
};

/**
 * Processes a stream batch record by record; returns `batchItemFailures` naming only the records that
 * are malformed or whose failure could not be written back (Lambda retries from there; after the
 * mapping's maximum retries they go to the failure queue).
 */
export async function deleteExpiredSnapshots(
  deps: DeleteDeps,
  config: DeleteConfig,
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<{ response: DynamoDBBatchResponse; counts: DeleteCounts }> {
  const counts: DeleteCounts = {
    deleted: 0,
    alreadyDeleted: 0,
    ignored: 0,
    inUse: 0,
    locked: 0,
    failed: 0,
  };
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const recordHandler = async (record: DynamoDBRecord): Promise<RecordOutcome> => {
    try {
      const outcome = await deleteExpiredSnapshot(deps, config, record);
      counts[COUNTED[outcome]]++;
      return outcome;
    } catch (error) {
      counts.failed++;
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
  metrics.addMetric(DELETE_METRICS.locked, MetricUnit.Count, counts.locked);
  metrics.publishStoredMetrics();
}
