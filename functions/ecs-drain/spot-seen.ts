import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

/** How long a counted event is remembered: EventBridge retries a delivery for at most 24 hours. */
const REMEMBER_SECONDS = 2 * 86400;

/**
 * Takes the right to count one EventBridge event (its id): true for the first invocation, and again for
 * that same invocation (the SDK retrying a write whose reply was lost); false for a second delivery of the
 * event, which EventBridge's at-least-once delivery allows. One conditional PutItem:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export async function firstToCount(
  ddb: DynamoDBClient,
  tableName: string,
  eventId: string,
  invocation: string,
  nowMs: number,
): Promise<boolean> {
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          event_id: { S: eventId },
          counted_by: { S: invocation },
          ttl: { N: String(Math.floor(nowMs / 1000) + REMEMBER_SECONDS) },
        },
        ConditionExpression: 'attribute_not_exists(event_id) OR counted_by = :me',
        ExpressionAttributeValues: { ':me': { S: invocation } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
