import { RedshiftClient } from '@aws-sdk/client-redshift';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { ResizeEnvSchema } from './env';
import { parseStepEvent, ResizeEventSchema } from './events';
import {
  resizeStatus,
  startResize,
  type ResizeStatusResult,
  type StartResizeResult,
} from './resize';

const config = readEnv(ResizeEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const redshift = new RedshiftClient(clientConfig());

/** Resize steps: start the resize (idempotently) and report whether it has finished. */
export async function handler(event: unknown): Promise<StartResizeResult | ResizeStatusResult> {
  const input = parseStepEvent(ResizeEventSchema, event, 'resize');
  switch (input.action) {
    case 'start':
      return startResize({ redshift }, config, input);
    case 'status':
      return resizeStatus({ redshift }, config, input.targetNodeCount);
  }
}
