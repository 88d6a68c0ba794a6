import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import { ShiftOutcomeUnknownError } from './spot-fallback-clients';
import type { SpotFallbackConfig, StrategyItem } from './spot-fallback-config';
import {
  applyStrategy,
  currentStrategy,
  sameStrategy,
  stuckTasks,
  type StuckTask,
} from './spot-fallback-ecs';
import { parseTrigger } from './spot-fallback-events';
import {
  DIRECTION_DIMENSION,
  DIRECTIONS,
  SPOT_FALLBACK_METRICS,
} from './spot-fallback-metric-names';
import { claimShift, type FallbackMode, readState, stateKey } from './spot-fallback-state';

export interface SpotFallbackDeps {
  readonly ecs: ECSClient;
  readonly ddb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly config: SpotFallbackConfig;
  readonly now: () => number;
}

export type FallbackReport =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'steady'; readonly mode: FallbackMode; readonly stuck: number }
  | {
      readonly outcome: 'held';
      readonly from: FallbackMode;
      readonly to: FallbackMode;
      readonly stuck: number;
    }
  | { readonly outcome: 'lost'; readonly from: FallbackMode; readonly to: FallbackMode }
  | {
      readonly outcome: 'shifted';
      readonly from: FallbackMode;
      readonly to: FallbackMode;
      readonly stuckTasks: readonly StuckTask[];
      /** The reply was lost; reading the service back showed the new strategy. */
      readonly confirmedByRead: boolean;
    };

/** The mode the service should be in now. */
function wantedMode(
  actual: FallbackMode,
  short: boolean,
  lastShiftAt: number,
  now: number,
  cfg: SpotFallbackConfig,
): FallbackMode {
  if (short) return 'fallback';
  // While On-Demand, Spot runs no task of the service, so its health is judged by its absence of stuck
  // tasks for the whole recovery period; if Spot is still short, the next shortage shifts again.
  if (actual === 'fallback' && now - lastShiftAt < cfg.recoverAfterMs) return 'fallback';
  return 'normal';
}

/** Applies `strategy`; after a lost reply, reads the service back instead of sending it again. */
async function shift(deps: SpotFallbackDeps, strategy: readonly StrategyItem[]): Promise<boolean> {
  const { cluster, service } = deps.config;
  try {
    await applyStrategy(deps.ecs, cluster, service, strategy);
    return false;
  } catch (error) {
    if (!(error instanceof ShiftOutcomeUnknownError)) throw error;
    if (sameStrategy(await currentStrategy(deps.ecs, cluster, service), strategy)) return true;
    throw error;
  }
}

async function announce(deps: SpotFallbackDeps, report: FallbackReport & { outcome: 'shifted' }) {
  const { cluster, service, topicArn } = deps.config;
  const text =
    report.to === 'fallback'
      ? `${service}: Spot capacity is short (${report.stuckTasks.length} tasks waiting); tasks moved to On-Demand`
      : `${service}: Spot healthy again; back to the configured On-Demand/Spot split`;
  logger.warn(text, { ...report, cluster, service });
  const m = metrics.singleMetric();
  m.addDimension(DIRECTION_DIMENSION, DIRECTIONS[report.to]);
  m.addMetric(SPOT_FALLBACK_METRICS.shifts, MetricUnit.Count, 1);
  await deps.sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: `ECS Spot fallback: ${DIRECTIONS[report.to]}`.slice(0, 100),
      Message: JSON.stringify({ message: text, cluster, service, ...report }, null, 2),
    }),
  );
}

/**
 * One run (every minute, or on a placement failure of the service): finds the service's tasks on the Spot
 * provider still waiting for capacity past `afterMs`, and shifts the service to the On-Demand-heavy strategy;
 * shifts back after `recoverAfterMs` without such a task. Each shift is claimed first (claimShift), so runs
 * that overlap shift once, at most once per `minIntervalMs`. The configured split stays Terraform's: an
 * apply restores it, and the next run shifts again if Spot is still short.
 */
export async function handleSpotFallback(
  deps: SpotFallbackDeps,
  event: unknown,
  invocation: string,
): Promise<FallbackReport> {
  const cfg = deps.config;
  const trigger = parseTrigger(event, {
    ruleArn: cfg.scheduleRuleArn,
    cluster: cfg.cluster,
    service: cfg.service,
    spotProvider: cfg.spotProvider,
  });
  if (trigger.kind === 'ignored') {
    logger.info('ignoring an event about something else', { reason: trigger.reason });
    return { outcome: 'ignored', reason: trigger.reason };
  }
  const now = deps.now();
  const key = stateKey(cfg.cluster, cfg.service);
  const state = await readState(deps.ddb, cfg.stateTableName, key);
  const current = await currentStrategy(deps.ecs, cfg.cluster, cfg.service);
  const stuck = await stuckTasks(
    deps.ecs,
    cfg.cluster,
    cfg.service,
    cfg.spotProvider,
    now - cfg.afterMs,
  );
  const short = stuck.length > 0 || (trigger.kind === 'placement-failure' && trigger.spotNamed);
  const actual: FallbackMode =
    sameStrategy(current, cfg.fallback) && !sameStrategy(cfg.normal, cfg.fallback)
      ? 'fallback'
      : 'normal';
  const to = wantedMode(actual, short, state.lastShiftAt, now, cfg);
  if (to === actual || sameStrategy(cfg.normal, cfg.fallback))
    return { outcome: 'steady', mode: actual, stuck: stuck.length };

  if (now - state.lastShiftAt < cfg.minIntervalMs) {
    logger.warn('a shift is due, but the last one is more recent than the minimum interval', {
      from: actual,
      to,
      lastShiftAt: new Date(state.lastShiftAt).toISOString(),
      stuckTasks: stuck,
    });
    metrics.singleMetric().addMetric(SPOT_FALLBACK_METRICS.held, MetricUnit.Count, 1);
    return { outcome: 'held', from: actual, to, stuck: stuck.length };
  }
  const claim = { read: state, to, nowMs: now, minIntervalMs: cfg.minIntervalMs, invocation };
  if (!(await claimShift(deps.ddb, cfg.stateTableName, key, claim))) {
    logger.info('another run shifted first', { from: actual, to });
    return { outcome: 'lost', from: actual, to };
  }
  const confirmedByRead = await shift(deps, to === 'fallback' ? cfg.fallback : cfg.normal);
  const report = {
    outcome: 'shifted',
    from: actual,
    to,
    stuckTasks: stuck,
    confirmedByRead,
  } as const;
  await announce(deps, report);
  return report;
}
