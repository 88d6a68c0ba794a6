import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import { createEc2Client } from './clients';
import { DeleteEnvSchema } from './config';
import { deleteExpiredSnapshots, reportBatch } from './delete';

const config = readEnv(DeleteEnvSchema);
const ec2 = createEc2Client();

/** DynamoDB stream of the snapshot table: deletes the snapshots whose records TTL removed. */
export async function handler(event: unknown, context?: Context): Promise<DynamoDBBatchResponse> {
  if (context) logger.addContext(context);
  const { Records } = parseEvent(DynamoDBStreamSchema, event, 'a DynamoDB stream event');
  const { response, counts } = await deleteExpiredSnapshots(
    { ec2 },
    config,
    event as DynamoDBStreamEvent,
    context,
  );
  reportBatch(counts, Records.length);
  return response;
}
