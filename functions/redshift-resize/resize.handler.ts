import { RedshiftClient } from '@aws-sdk/client-redshift';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { parseEvent } from '../shared/parse';
import { ResizeEnvSchema } from './env';
import { namedWhenReplyLost, ResizeFailedError } from './errors';
import { ResizeEventSchema } from './events';
import {
  resizeStatus,
  startResize,
  type ResizeStatusResult,
  type StartResizeResult,
} from './resize';
import { recordResizeEnded } from './telemetry';

const config = readEnv(ResizeEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const redshift = new RedshiftClient(clientConfig());

/** Resize steps: start the resize (idempotently) and report whether it has finished. */
export async function handler(event: unknown): Promise<StartResizeResult | ResizeStatusResult> {
  const input = parseEvent(ResizeEventSchema, event, 'a resize step payload');
  try {
    switch (input.action) {
      case 'start':
        return await startResize({ redshift }, config, input);
      case 'status':
        return await statusWithOutcome(input);
    }
  } catch (error) {
    throw namedWhenReplyLost(error);
  }
}

/** The status step; the workflow leaves its poll loop on `done` or on an error, so each end is counted once. */
async function statusWithOutcome(
  request: Parameters<typeof resizeStatus>[2],
): Promise<ResizeStatusResult> {
  let result: ResizeStatusResult;
  try {
    result = await resizeStatus({ redshift }, config, request);
  } catch (error) {
    if (error instanceof ResizeFailedError) recordResizeEnded('failed');
    throw error;
  }
  if (result.done) recordResizeEnded('succeeded');
  return result;
}
