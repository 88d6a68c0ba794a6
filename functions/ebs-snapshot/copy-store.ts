import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** A copy's claim lives a day, then DynamoDB TTL removes it (the delete handler ignores `claim#` items). */
const CLAIM_TTL_SECONDS = 86_400;
const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * The record key of a snapshot in another Region than the stack's: `<snapshot id>@<Region>`. It starts with
 * `snap-`, so the stream's TTL filter passes it to the delete handler, which deletes it in that Region.
 */
export const copyRecordKey = (snapshotId: string, region: string): string =>
  `${snapshotId}@${region}`;

/** The snapshot id and Region of a record key; no Region (every record before copies): the home Region. */
export function recordKeyParts(key: string): { snapshotId: string; region?: string } {
  const at = key.indexOf('@');
  return at < 0 ? { snapshotId: key } : { snapshotId: key.slice(0, at), region: key.slice(at + 1) };
}

export interface CopyRecord {
  readonly copyId: string;
  readonly region: string;
  readonly sourceSnapshotId: string;
  readonly expiresAt: Date;
}

/** Writes (or overwrites: idempotent) the record whose TTL expiry deletes the copy in its Region. */
export async function putCopyRecord(
  ddb: DynamoDBClient,
  tableName: string,
  record: CopyRecord,
  now: Date,
): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        snapshot_id: { S: copyRecordKey(record.copyId, record.region) },
        region: { S: record.region },
        source_snapshot_id: { S: record.sourceSnapshotId },
        timestamp: { S: now.toISOString() },
        ttl: { N: String(epochSeconds(record.expiresAt)) },
      },
    }),
  );
}

export const copyClaimKey = (sourceSnapshotId: string, region: string): string =>
  `claim#copy#${sourceSnapshotId}#${region}`;

/**
 * Claims the copy of one source snapshot into one Region, so two deliveries of the same event that both
 * found no copy by tag do not both call CopySnapshot (it takes no idempotency token). Taken when there is no
 * claim, when it was released (a refused copy), or when it is older than `settleSeconds`: by then a copy made
 * under it would show in the tag lookup (EC2 reads are eventually consistent:
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
export async function claimCopy(
  ddb: DynamoDBClient,
  tableName: string,
  ref: { sourceSnapshotId: string; region: string; attempt: string },
  now: Date,
  settleSeconds: number,
): Promise<boolean> {
  const at = epochSeconds(now);
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: claimItem(ref, at, at + CLAIM_TTL_SECONDS),
        ConditionExpression:
          'attribute_not_exists(snapshot_id) OR claimed_at = :released OR claimed_at < :stale',
        ExpressionAttributeValues: {
          ':released': { N: '0' },
          ':stale': { N: String(at - settleSeconds) },
        },
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === 'ConditionalCheckFailedException'
    )
      return false;
    throw error;
  }
}

/** Releases this attempt's claim after EC2 refused the copy, so the next delivery may copy at once. */
export async function releaseCopyClaim(
  ddb: DynamoDBClient,
  tableName: string,
  ref: { sourceSnapshotId: string; region: string; attempt: string },
  now: Date,
): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: claimItem(ref, 0, epochSeconds(now) + CLAIM_TTL_SECONDS),
      ConditionExpression: 'claim_attempt = :attempt',
      ExpressionAttributeValues: { ':attempt': { S: ref.attempt } },
    }),
  );
}

function claimItem(
  ref: { sourceSnapshotId: string; region: string; attempt: string },
  claimedAt: number,
  ttl: number,
): Record<string, AttributeValue> {
  return {
    snapshot_id: { S: copyClaimKey(ref.sourceSnapshotId, ref.region) },
    claimed_at: { N: String(claimedAt) },
    claim_attempt: { S: ref.attempt },
    ttl: { N: String(ttl) },
  };
}
