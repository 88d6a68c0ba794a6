import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateConfig } from './config';

/** What the table keeps of one snapshot; its expiry becomes the item's `ttl`, which drives the delete handler. */
export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly runKey: string;
  readonly createTime: Date;
  readonly expiresAt: Date;
  readonly description: string;
}

/** One invocation's (owner's) claim on snapshotting one volume in one run. */
export interface ClaimRef {
  readonly runKey: string;
  readonly volumeId: string;
  readonly owner: string;
}

/**
 * Where the create handler keeps records and claims: DynamoDB in Lambda, in memory in the logic tests
 * (both held to one contract by the store tests).
 */
export interface SnapshotStore {
  /** Writes the record, or overwrites it (idempotent). */
  putRecord(record: SnapshotRecord, now: Date): Promise<void>;
  /**
   * Takes the claim; false while any claim on the (run, volume) pair, the owner's own included, is
   * younger than CLAIM_STALE_AFTER_SECONDS. A released claim can be taken at once.
   */
  claim(ref: ClaimRef, now: Date): Promise<boolean>;
  /** Releases the owner's claim; rejects, changing nothing, when the claim is not the owner's. */
  release(ref: ClaimRef, now: Date): Promise<void>;
}

/** A claim item outlives its staleness window by this much before DynamoDB TTL removes it. */
const CLAIM_TTL_SECONDS = 86_400;

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** The claim item's key for one (run, volume) pair; it never starts with `snap-`, so deletes ignore it. */
export function claimKey(runKey: string, volumeId: string): string {
  return `claim#${runKey}#${volumeId}`;
}

/** claimed_at 0 is a released claim: older than any staleness window. */
function claimItem(ref: ClaimRef, claimedAt: number, ttl: number): Record<string, AttributeValue> {
  return {
    snapshot_id: { S: claimKey(ref.runKey, ref.volumeId) },
    claimed_at: { N: String(claimedAt) },
    claim_owner: { S: ref.owner },
    run: { S: ref.runKey },
    volume_id: { S: ref.volumeId },
    ttl: { N: String(ttl) },
  };
}

/** The table keyed by snapshot_id: records under the snapshot id, claims under claimKey(). */
export function dynamoDbSnapshotStore(
  ddb: DynamoDBClient,
  config: Pick<CreateConfig, 'tableName' | 'claimStaleAfterSeconds'>,
): SnapshotStore {
  const { tableName: TableName, claimStaleAfterSeconds: staleAfter } = config;
  return {
    async putRecord(record, now) {
      const Item: Record<string, AttributeValue> = {
        snapshot_id: { S: record.snapshotId },
        create_time: { S: record.createTime.toISOString() },
        description: { S: record.description },
        timestamp: { S: now.toISOString() },
        ttl: { N: String(epochSeconds(record.expiresAt)) },
        volume_id: { S: record.volumeId },
        run: { S: record.runKey },
      };
      await ddb.send(new PutItemCommand({ TableName, Item }));
    },

    async claim(ref, now) {
      const at = epochSeconds(now);
      try {
        await ddb.send(
          new PutItemCommand({
            TableName,
            Item: claimItem(ref, at, at + staleAfter + CLAIM_TTL_SECONDS),
            ConditionExpression: 'attribute_not_exists(snapshot_id) OR claimed_at < :stale',
            ExpressionAttributeValues: { ':stale': { N: String(at - staleAfter) } },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
          return false;
        throw error;
      }
    },

    async release(ref, now) {
      await ddb.send(
        new PutItemCommand({
          TableName,
          Item: claimItem(ref, 0, epochSeconds(now) + CLAIM_TTL_SECONDS),
          ConditionExpression: 'claim_owner = :owner',
          ExpressionAttributeValues: { ':owner': { S: ref.owner } },
        }),
      );
    },
  };
}
