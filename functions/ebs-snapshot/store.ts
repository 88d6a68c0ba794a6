import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
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

/** One attempt's claim on snapshotting one volume in one run (an attempt: one invocation of the run). */
export interface ClaimRef {
  readonly runKey: string;
  readonly volumeId: string;
  readonly attempt: string;
}

/** Taken, or held by another attempt of the same run since `claimedAt`. */
export type ClaimResult =
  | { readonly taken: true }
  | { readonly taken: false; readonly attempt: string; readonly claimedAt: Date };

/**
 * Where the create handler keeps records and claims: DynamoDB in Lambda, in memory in the logic tests
 * (both held to one contract by the store tests).
 */
export interface SnapshotStore {
  /** Writes the record, or overwrites it (idempotent). */
  putRecord(record: SnapshotRecord, now: Date): Promise<void>;
  /**
   * Takes the claim when there is none, when it was released, or when it is this attempt's own (so a
   * retried PutItem whose first reply was lost finds its own claim taken). Otherwise says who holds it.
   */
  claim(ref: ClaimRef, now: Date): Promise<ClaimResult>;
  /** Takes the claim over from `from` (an earlier attempt); false when it is no longer `from`'s. */
  takeOver(ref: ClaimRef, from: string, now: Date): Promise<boolean>;
  /** Releases the attempt's claim; rejects, changing nothing, when the claim is not the attempt's. */
  release(ref: ClaimRef, now: Date): Promise<void>;
}

/** A claim item lives a day, then DynamoDB TTL removes it (the delete handler ignores claim items). */
const CLAIM_TTL_SECONDS = 86_400;

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** The claim item's key for one (run, volume) pair; it never starts with `snap-`, so deletes ignore it. */
export function claimKey(runKey: string, volumeId: string): string {
  return `claim#${runKey}#${volumeId}`;
}

/** claimed_at 0 is a released claim. */
function claimItem(ref: ClaimRef, claimedAt: number, ttl: number): Record<string, AttributeValue> {
  return {
    snapshot_id: { S: claimKey(ref.runKey, ref.volumeId) },
    claimed_at: { N: String(claimedAt) },
    claim_attempt: { S: ref.attempt },
    run: { S: ref.runKey },
    volume_id: { S: ref.volumeId },
    ttl: { N: String(ttl) },
  };
}

/** The table keyed by snapshot_id: records under the snapshot id, claims under claimKey(). */
export function dynamoDbSnapshotStore(
  ddb: DynamoDBClient,
  config: Pick<CreateConfig, 'tableName'>,
): SnapshotStore {
  const { tableName: TableName } = config;
  /** A conditional claim write; false when the condition failed, with the item that failed it. */
  async function conditionalClaim(
    Item: Record<string, AttributeValue>,
    ConditionExpression: string,
    ExpressionAttributeValues: Record<string, AttributeValue>,
  ): Promise<{ written: true } | { written: false; held?: Record<string, AttributeValue> }> {
    try {
      await ddb.send(
        new PutItemCommand({
          TableName,
          Item,
          ConditionExpression,
          ExpressionAttributeValues,
          // The holder comes back with the refusal: no second read.
          // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true };
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      )
        return { written: false, held: (error as { Item?: Record<string, AttributeValue> }).Item };
      throw error;
    }
  }

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
      const result = await conditionalClaim(
        claimItem(ref, at, at + CLAIM_TTL_SECONDS),
        'attribute_not_exists(snapshot_id) OR claim_attempt = :attempt OR claimed_at = :released',
        { ':attempt': { S: ref.attempt }, ':released': { N: '0' } },
      );
      if (result.written) return { taken: true };
      return {
        taken: false,
        attempt: result.held?.claim_attempt?.S ?? 'unknown',
        claimedAt: new Date(Number(result.held?.claimed_at?.N ?? at) * 1000),
      };
    },

    async takeOver(ref, from, now) {
      const at = epochSeconds(now);
      const result = await conditionalClaim(
        claimItem(ref, at, at + CLAIM_TTL_SECONDS),
        'claim_attempt = :from OR claim_attempt = :attempt',
        { ':from': { S: from }, ':attempt': { S: ref.attempt } },
      );
      return result.written;
    },

    async release(ref, now) {
      await ddb.send(
        new PutItemCommand({
          TableName,
          Item: claimItem(ref, 0, epochSeconds(now) + CLAIM_TTL_SECONDS),
          ConditionExpression: 'claim_attempt = :attempt',
          ExpressionAttributeValues: { ':attempt': { S: ref.attempt } },
        }),
      );
    },
  };
}
