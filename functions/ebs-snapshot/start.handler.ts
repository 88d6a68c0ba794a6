import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { parseOwnSchedule } from '../shared/parse';
import { StartEnvSchema } from './config';
import { START_METRICS } from './metric-names';

const config = readEnv(StartEnvSchema);
const sfn = new SFNClient(clientConfig());

/**
 * An execution name for a run key: execution names allow no `:`, and the same name twice is the same run
 * (StartExecution is idempotent for a name while it runs, and refuses a name used in the last 90 days:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
export const runName = (runKey: string): string => `run-${runKey.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export type StartOutcome = 'started' | 'already-started' | 'skipped-overlap';

/**
 * Scheduled by its own rule only: starts the run of this scheduled event as a state machine execution, or
 * skips it (log line and RunsSkippedOverlap) while the previous run is still going, so runs never overlap.
 */
export async function handler(event: unknown, context?: Context): Promise<StartOutcome> {
  if (context) logger.addContext(context);
  const runKey = parseOwnSchedule(event, config.scheduleRuleArn).time;
  const name = runName(runKey);
  const running = await sfn.send(
    new ListExecutionsCommand({
      stateMachineArn: config.stateMachineArn,
      statusFilter: 'RUNNING',
      maxResults: 10,
    }),
  );
  const other = (running.executions ?? []).find((e) => e.name !== name);
  let outcome: StartOutcome;
  if (other) {
    logger.warn('previous snapshot run still running; this run is skipped', {
      runKey,
      running: other.name,
    });
    outcome = 'skipped-overlap';
  } else {
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: config.stateMachineArn,
          name,
          input: JSON.stringify({
            runKey,
            pass: 1,
            totals: { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 },
          }),
        }),
      );
      logger.info('snapshot run started', { runKey, execution: name });
      outcome = 'started';
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      logger.info('snapshot run already started for this event', { runKey, execution: name });
      outcome = 'already-started';
    }
  }
  metrics.addMetric(
    START_METRICS.skippedOverlap,
    MetricUnit.Count,
    outcome === 'skipped-overlap' ? 1 : 0,
  );
  metrics.publishStoredMetrics();
  return outcome;
}
