import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import { createDynamoDbClient, createEc2Client, regionalEc2Clients } from './clients';
import { DeleteEnvSchema } from './config';
import { deleteExpiredSnapshots, reportBatch } from './delete';

const config = readEnv(DeleteEnvSchema);

/**
 * What the whole batch needs: records, each with the sequence number a batch item failure names. Every
 * other field is checked per record, so one malformed record is one failure, not the batch's.
 */
const StreamBatchSchema = z.object({
  Records: z.array(
    z.looseObject({ dynamodb: z.looseObject({ SequenceNumber: z.string().min(1) }) }),
  ),
});
const ec2 = createEc2Client();
const ec2For = regionalEc2Clients(ec2);
const ddb = createDynamoDbClient();

/** DynamoDB stream of the snapshot table: deletes the snapshots whose records TTL removed. */
export async function handler(event: unknown, context?: Context): Promise<DynamoDBBatchResponse> {
  if (context) logger.addContext(context);
  const { Records } = parseEvent(StreamBatchSchema, event, 'a DynamoDB stream event');
  const { response, counts } = await deleteExpiredSnapshots(
    { ec2, ec2For, ddb, now: () => new Date() },
    config,
    event as DynamoDBStreamEvent,
    context,
  );
  reportBatch(counts, Records.length);
  return response;
}
