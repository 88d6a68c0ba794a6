import type { Context } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { OpsError } from '../shared/errors';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { parseOwnSchedule } from '../shared/parse';
import { createDynamoDbClient, createEc2Client, regionalEc2Clients } from './clients';
import { SweepEnvSchema } from './config';
import { SWEEP_METRICS } from './metric-names';
import { RbinClient, recycleBinRulesOf } from './rbin-client';
import { sweep, type SweepResult } from './sweep';

/** A sweep in which a delete failed for another reason than an AMI using the snapshot or a lock. */
export class SweepFailedError extends OpsError {}

const config = readEnv(SweepEnvSchema);
const ec2 = createEc2Client();
const ec2For = regionalEc2Clients(ec2);
const ddb = createDynamoDbClient();
const recycleBin = recycleBinRulesOf(new RbinClient(config.region));

function report(result: SweepResult): void {
  logger.info('sweep finished', { ...result });
  if (result.recycleBinRules.length > 0)
    logger.warn('Recycle Bin rules keep the snapshots this stack deletes (billed while retained)', {
      rules: result.recycleBinRules,
    });
  if (result.volumesMissingBackup.length > 0)
    logger.error('tagged volumes without a recent snapshot', {
      volumes: result.volumesMissingBackup,
      maxBackupAgeHours: config.maxBackupAgeHours,
    });
  const values: Record<keyof typeof SWEEP_METRICS, number> = {
    expiredDeleted: result.expiredDeleted,
    errorDeleted: result.errorDeleted,
    deleteFailed: result.deleteFailed,
    inUse: result.inUse,
    locked: result.locked,
    strays: result.strays,
    unfinished: result.unfinished,
    recycleBinRules: result.recycleBinRules.length,
    missingBackup: result.volumesMissingBackup.length,
  };
  for (const [key, name] of Object.entries(SWEEP_METRICS))
    metrics.addMetric(name, MetricUnit.Count, values[key as keyof typeof SWEEP_METRICS]);
  metrics.publishStoredMetrics();
}

/** Scheduled by its own rule only: sweeps the snapshots carrying this deployment's managed-by tag. */
export async function handler(event: unknown, context?: Context): Promise<SweepResult> {
  if (context) logger.addContext(context);
  parseOwnSchedule(event, config.scheduleRuleArn);
  const result = await sweep(
    {
      ec2,
      ec2For,
      ddb,
      recycleBin,
      now: () => new Date(),
      ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
    },
    config,
  );
  report(result);
  if (result.deleteFailed > 0)
    throw new SweepFailedError(`${result.deleteFailed} expired snapshots could not be deleted`);
  return result;
}
