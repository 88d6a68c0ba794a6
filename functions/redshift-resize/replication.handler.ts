import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { parseEvent } from '../shared/parse';
import { ReplicationEnvSchema } from './env';
import { namedWhenReplyLost } from './errors';
import { ReplicationEventSchema } from './events';
import {
  resumeTasks,
  selectTasks,
  stopTasks,
  type ReplicationStepResult,
  type SelectResult,
} from './replication';

const source = readEnv(ReplicationEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const dms = new DatabaseMigrationServiceClient(clientConfig());

/** Select / Stop / Resume steps for the DMS tasks that replicate into the cluster. */
export async function handler(event: unknown): Promise<SelectResult | ReplicationStepResult> {
  const input = parseEvent(ReplicationEventSchema, event, 'a replication step payload');
  try {
    switch (input.action) {
      case 'select':
        return await selectTasks({ dms }, source);
      case 'stop':
        return await stopTasks({ dms }, input.taskArns);
      case 'resume':
        return await resumeTasks({ dms }, input.taskArns);
    }
  } catch (error) {
    throw namedWhenReplyLost(error);
  }
}
