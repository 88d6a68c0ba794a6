import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import { createDynamoDbClient, createEc2Client } from './clients';
import { CreateEnvSchema } from './config';
import { reportRun } from './report';
import { snapshotPage } from './run';
import { dynamoDbSnapshotStore } from './store';

const config = readEnv(CreateEnvSchema);
const ec2 = createEc2Client();
const store = dynamoDbSnapshotStore(createDynamoDbClient(), config);

const count = z.number().int().nonnegative();
/** The run's state, as the state machine passes it from one page to the next. */
const PageStateSchema = z.looseObject({
  runKey: z.string().min(1),
  pass: z.union([z.literal(1), z.literal(2)]),
  pageToken: z.string().min(1).optional(),
  nextSlotAt: z.number().nonnegative().optional(),
  totals: z.object({
    volumes: count,
    created: count,
    skipped: count,
    failed: count,
    strays: count,
  }),
});
export type PageState = z.infer<typeof PageStateSchema>;

/**
 * A task of the run's state machine: snapshots one page of tagged volumes and returns the state for the
 * next page (no `pageToken` once the last page is done; other fields the state machine keeps pass through).
 * Each invocation is one attempt: a retried task finds what the failed one made by its tags and claims.
 */
export async function handler(event: unknown, context?: Context): Promise<PageState> {
  if (context) logger.addContext(context);
  const state = parseEvent(PageStateSchema, event, "the snapshot run's page state");
  const page = await snapshotPage(
    { ec2, store, now: () => new Date(), attempt: context?.awsRequestId ?? randomUUID() },
    config,
    state,
  );
  reportRun(page);
  const t = state.totals;
  const { pageToken: _done, ...carried } = state;
  return {
    ...carried,
    ...(page.pageToken ? { pageToken: page.pageToken } : {}),
    nextSlotAt: page.nextSlotAt,
    totals: {
      volumes: t.volumes + page.volumes,
      created: t.created + page.created,
      skipped: t.skipped + page.skipped,
      failed: t.failed + page.failed,
      strays: t.strays + page.strays,
    },
  };
}
