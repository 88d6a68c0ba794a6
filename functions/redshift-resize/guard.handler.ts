import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { z } from 'zod';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import { readDiskUsage } from './disk-usage';
import { GuardEnvSchema } from './env';
import { GuardEventSchema, ReportEventSchema } from './events';
import { evaluateGuard, type GuardResult } from './guard';
import { reportRun, type RunReport } from './report';
import { recordGuardDecision } from './telemetry';

const config = readEnv(GuardEnvSchema);

/** This function's clients; exported so tests mock exactly the calls this function makes. */
export const redshift = new RedshiftClient(clientConfig());
export const cloudwatch = new CloudWatchClient(clientConfig());

const GuardStepEventSchema = z.union([ReportEventSchema, GuardEventSchema]);

/**
 * Guard step: may this execution resize the cluster, and to how many nodes? With action "report", once DMS
 * runs again: the disk usage after and the length of the pause. Reads only.
 */
export async function handler(event: z.input<typeof ReportEventSchema>): Promise<RunReport>;
export async function handler(event: unknown): Promise<GuardResult>;
export async function handler(event: unknown): Promise<GuardResult | RunReport> {
  const input = parseEvent(GuardStepEventSchema, event, 'a Guard step payload');
  const now = new Date();
  if ('action' in input) {
    const report = await reportRun({ cloudwatch }, config.clusterId, input, now);
    logger.info('run report', { ...report });
    return report;
  }
  const decision = await evaluateGuard({ redshift }, config, {
    executionName: input.executionName,
    now,
  });
  const disk = await readDiskUsage(cloudwatch, config.clusterId, now);
  const result: GuardResult = { ...decision, ...disk, evaluatedAt: now.toISOString() };
  logger.info('guard decision', { ...result });
  recordGuardDecision(result);
  return result;
}
