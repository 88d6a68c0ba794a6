import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DRAIN_OUTCOMES, type DrainOutcome } from './metric-names';

/**
 * What the ledger remembers of one drain (one lifecycle action) across invocations: which message holds
 * which check, whether the chain was completing the action, and who recorded its outcome. It is what makes
 * SQS's at-least-once sends and the SDK's retries of applied writes harmless:
 * - a second message for the same check (a SendMessage whose reply was lost was sent again) loses its
 *   claim and stops: one drain has one chain;
 * - a CompleteLifecycleAction whose reply was lost is known, on its retry or in a later check, to have been
 *   the chain's own, so the outcome is still recorded, and recorded once.
 */
export interface DrainLedger {
  /**
   * Claims check `check` of the drain for `owner` (the id of the SNS or SQS message that carries it).
   * Taken when no later check was claimed and no other message holds this one; the owner's own claim is
   * taken again (a redelivery, or the SDK retrying a claim whose reply was lost). Undefined when refused.
   */
  claim(ref: CheckClaim): Promise<LedgerEntry | undefined>;
  /** Notes, before CompleteLifecycleAction, the outcome the chain is completing the action with. */
  markCompleting(token: string, outcome: DrainOutcome, atMs: number): Promise<void>;
  /**
   * Takes the right to record the drain's outcome: true for the first owner, and again for that owner. When
   * the write's outcome is unknown (every reply lost), a strongly consistent read of the entry tells.
   */
  takeOutcome(token: string, owner: string): Promise<boolean>;
}

export interface CheckClaim {
  /** The lifecycle action token: one drain. */
  readonly token: string;
  readonly check: number;
  readonly owner: string;
  /** When DynamoDB may delete the entry (TTL), epoch seconds. */
  readonly expiresAt: number;
}

export interface LedgerEntry {
  /** Set once a check of this chain was about to complete the lifecycle action. */
  readonly completing?: { readonly outcome: DrainOutcome; readonly atMs: number };
}

const CONDITION_FAILED = 'ConditionalCheckFailedException';

function isOutcome(value: string | undefined): value is DrainOutcome {
  return (DRAIN_OUTCOMES as readonly string[]).includes(value ?? '');
}

function entryOf(item: Record<string, AttributeValue> | undefined): LedgerEntry {
  const outcome = item?.completing_outcome?.S;
  const atMs = Number(item?.completing_at?.N);
  return isOutcome(outcome) && Number.isFinite(atMs) ? { completing: { outcome, atMs } } : {};
}

/**
 * The ledger as a DynamoDB table keyed by `action_token`, one conditional UpdateItem per step, so every step
 * is atomic and a retried step whose first attempt was applied passes its own condition again.
 * Condition expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export function dynamoDbLedger(ddb: DynamoDBClient, tableName: string): DrainLedger {
  const update = (
    token: string,
    rest: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'>,
  ) =>
    ddb.send(
      new UpdateItemCommand({ TableName: tableName, Key: { action_token: { S: token } }, ...rest }),
    );
  const refusedOnCondition = async <T>(write: Promise<T>): Promise<T | undefined> => {
    try {
      return await write;
    } catch (error) {
      if (error instanceof Error && error.name === CONDITION_FAILED) return undefined;
      throw error;
    }
  };

  const outcomeOwner = async (token: string): Promise<string | undefined> => {
    const out = await ddb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { action_token: { S: token } },
        ProjectionExpression: 'outcome_owner',
        ConsistentRead: true,
      }),
    );
    return out.Item?.outcome_owner?.S;
  };

  return {
    async claim({ token, check, owner, expiresAt }) {
      const out = await refusedOnCondition(
        update(token, {
          UpdateExpression: 'SET check_number = :check, check_owner = :owner, #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(check_number) OR check_number < :check OR (check_number = :check AND check_owner = :owner)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':check': { N: String(check) },
            ':owner': { S: owner },
            ':ttl': { N: String(expiresAt) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out ? entryOf(out.Attributes) : undefined;
    },

    async markCompleting(token, outcome, atMs) {
      await update(token, {
        UpdateExpression: 'SET completing_outcome = :outcome, completing_at = :at',
        ExpressionAttributeValues: { ':outcome': { S: outcome }, ':at': { N: String(atMs) } },
      });
    },

    async takeOutcome(token, owner) {
      try {
        const out = await refusedOnCondition(
          update(token, {
            UpdateExpression: 'SET outcome_owner = :owner',
            ConditionExpression: 'attribute_not_exists(outcome_owner) OR outcome_owner = :owner',
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
        );
        return out !== undefined;
      } catch (error) {
        // Unknown whether the write applied: read the entry back, strongly consistent, so a write applied
        // just before is seen. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
        // (ConsistentRead), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
        const held = await outcomeOwner(token).catch(() => undefined);
        if (held === undefined) throw error;
        return held === owner;
      }
    },
  };
}
