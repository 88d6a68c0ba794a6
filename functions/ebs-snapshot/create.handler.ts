import type { Context } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseOwnSchedule } from '../shared/parse';
import { createDynamoDbClient, createEc2Client } from './clients';
import { CreateEnvSchema } from './config';
import type { SnapshotRunCounts } from './create';
import { SnapshotRunFailedError } from './errors';
import { reportRun } from './report';
import { snapshotVolumes } from './run';
import { dynamoDbSnapshotStore } from './store';

const config = readEnv(CreateEnvSchema);
const ec2 = createEc2Client();
const store = dynamoDbSnapshotStore(createDynamoDbClient(), config);

/**
 * Scheduled by its own rule only: snapshots the tagged volumes once per run; the event's `time` is the
 * run key. Each invocation is one attempt of the run (Lambda retries a failed one twice).
 */
export async function handler(event: unknown, context?: Context): Promise<SnapshotRunCounts> {
  if (context) logger.addContext(context);
  const runKey = parseOwnSchedule(event, config.scheduleRuleArn).time;
  const result = await snapshotVolumes({ ec2, store, now: () => new Date() }, config, runKey);
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
