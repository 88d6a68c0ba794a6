import { randomUUID } from 'node:crypto';
import { EMULATOR_REGION } from '../aws/call';

/**
 * TTL deletions carry this identity in the stream record; a person's delete carries none:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 */
const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

/**
 * The Lambda event record of one REMOVE on the table's stream, as DynamoDB Streams writes it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html) and Lambda
 * delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): the old image only when the
 * stream's view type carries it. moto's stream cannot be read for this: its own event source mapping
 * consumes the records as they are written.
 */
export function removeRecord(
  streamArn: string,
  viewType: string,
  Keys: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
  seq: number,
  byTtl: boolean,
): Record<string, unknown> {
  const dynamodb = {
    ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
    Keys,
    ...(old && ['OLD_IMAGE', 'NEW_AND_OLD_IMAGES'].includes(viewType) ? { OldImage: old } : {}),
    SequenceNumber: String(1_000_000 + seq),
    SizeBytes: JSON.stringify(old ?? Keys).length,
    StreamViewType: viewType,
  };
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName: 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: EMULATOR_REGION,
    dynamodb,
    eventSourceARN: streamArn,
    ...(byTtl ? { userIdentity: TTL_IDENTITY } : {}),
  };
}
