import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

export type FallbackMode = 'normal' | 'fallback';

/** The one item per service: the mode of the last shift, when it happened, and a version for compare-and-set. */
export interface FallbackState {
  readonly mode: FallbackMode;
  /** Epoch milliseconds of the last shift; 0 before the first. */
  readonly lastShiftAt: number;
  /** 0 before the first shift (no item). */
  readonly version: number;
}

/** The item lives in the stack's small DynamoDB table (hash key `event_id`) under this key. */
export const stateKey = (cluster: string, service: string) => `spot-fallback/${cluster}/${service}`;

export async function readState(
  ddb: DynamoDBClient,
  table: string,
  key: string,
): Promise<FallbackState> {
  const out = await ddb.send(
    new GetItemCommand({ TableName: table, Key: { event_id: { S: key } }, ConsistentRead: true }),
  );
  const item = out.Item;
  if (!item) return { mode: 'normal', lastShiftAt: 0, version: 0 };
  return {
    mode: item.mode?.S === 'fallback' ? 'fallback' : 'normal',
    lastShiftAt: Number(item.last_shift_at?.N ?? 0),
    version: Number(item.version?.N ?? 0),
  };
}

/**
 * Takes the right to make one shift: a conditional UpdateItem that succeeds only if nobody shifted since
 * `read` was read (same version) and the last shift is at least `minIntervalMs` old, so concurrent or repeated
 * runs shift at most once per interval. `invocation` (the Lambda request id) lets the same invocation's
 * retried write, whose first reply was lost, still win. Only the winner calls UpdateService.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export async function claimShift(
  ddb: DynamoDBClient,
  table: string,
  key: string,
  claim: {
    readonly read: FallbackState;
    readonly to: FallbackMode;
    readonly nowMs: number;
    readonly minIntervalMs: number;
    readonly invocation: string;
  },
): Promise<boolean> {
  const first = claim.read.version === 0;
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { event_id: { S: key } },
        UpdateExpression: 'SET #mode = :to, last_shift_at = :now, version = :next, shift_by = :me',
        ConditionExpression: first
          ? 'attribute_not_exists(event_id) OR shift_by = :me'
          : '(version = :read AND last_shift_at <= :cutoff) OR shift_by = :me',
        ExpressionAttributeNames: { '#mode': 'mode' },
        ExpressionAttributeValues: {
          ':to': { S: claim.to },
          ':now': { N: String(claim.nowMs) },
          ':next': { N: String(claim.read.version + 1) },
          ':me': { S: claim.invocation },
          ...(first
            ? {}
            : {
                ':read': { N: String(claim.read.version) },
                ':cutoff': { N: String(claim.nowMs - claim.minIntervalMs) },
              }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
