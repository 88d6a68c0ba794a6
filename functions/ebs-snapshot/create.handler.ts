import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { readEnv } from '../shared/env';
import { InvalidEventError } from '../shared/errors';
import { logger } from '../shared/logger';
import { createDynamoDbClient, createEc2Client } from './clients';
import { CreateEnvSchema } from './config';
import { reportRun, snapshotVolumes, type SnapshotRunCounts } from './create';
import { SnapshotRunFailedError } from './errors';

const config = readEnv(CreateEnvSchema);
const ec2 = createEc2Client();
const ddb = createDynamoDbClient();

/** The EventBridge "Scheduled Event" a schedule rule sends; its `time` is the run key. */
export const ScheduledEventSchema = EventBridgeSchema.extend({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
});

export async function handler(event: unknown, context?: Context): Promise<SnapshotRunCounts> {
  if (context) logger.addContext(context);
  const parsed = ScheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new InvalidEventError(`expected an EventBridge Scheduled Event: ${detail}`, {
      cause: parsed.error,
    });
  }
  const runKey = parsed.data.time;
  const result = await snapshotVolumes({ ec2, ddb, now: () => new Date() }, config, runKey);
  reportRun(result);
  const counts = {
    volumes: result.volumes,
    created: result.created,
    skipped: result.skipped,
    failed: result.failed,
  };
  if (result.failed > 0) {
    throw new SnapshotRunFailedError(
      `${result.failed} of ${result.volumes} volumes failed in snapshot run ${runKey}: ` +
        result.outcomes
          .filter((o) => o.outcome === 'failed')
          .map((o) => o.volumeId)
          .join(', '),
    );
  }
  return counts;
}
