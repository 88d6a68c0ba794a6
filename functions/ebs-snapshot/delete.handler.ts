import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { InvalidEventError } from '../shared/errors';
import { logger } from '../shared/logger';
import { createEc2Client } from './clients';
import { DeleteEnvSchema } from './config';
import { deleteExpiredSnapshots, reportBatch } from './delete';

const config = readEnv(DeleteEnvSchema);
const ec2 = createEc2Client();

export async function handler(event: unknown, context?: Context): Promise<DynamoDBBatchResponse> {
  if (context) logger.addContext(context);
  const parsed = DynamoDBStreamSchema.safeParse(event);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new InvalidEventError(`expected a DynamoDB stream event: ${detail}`, {
      cause: parsed.error,
    });
  }
  const { response, counts } = await deleteExpiredSnapshots(
    { ec2 },
    config,
    event as DynamoDBStreamEvent,
    context,
  );
  reportBatch(counts, parsed.data.Records.length);
  return response;
}
