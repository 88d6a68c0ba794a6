import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { parseOwnSchedule } from '../shared/parse';
import { reconcileConfigFrom, type ReserverEnv } from './config';
import { connectDatabase } from './connection';
import { ReconcileFailedError } from './errors';
import { reconcile, type MetricsSink, type PoolOutcome } from './reconcile';
import type { ReservationGroup } from './group';
import type { CredentialSource } from './secret';

interface ReserverDeps {
  readonly env: ReserverEnv;
  readonly ec2: EC2Client;
  readonly credentials: CredentialSource;
  readonly metrics?: MetricsSink;
  /** The capacity reservation group, when the environment names one. */
  readonly group?: ReservationGroup;
}

type ReserverSummary =
  | { readonly status: 'locked' }
  | {
      readonly status: 'completed';
      readonly rows: number;
      readonly reconciled: number;
      readonly invalid: number;
      readonly insufficientCapacity: number;
      readonly reservationsCreated: number;
      readonly instancesRemoved: number;
    };

function count(pools: readonly PoolOutcome[], status: PoolOutcome['status']): number {
  return pools.filter((p) => p.status === status).length;
}

/**
 * The handler around reconcile(): validates the event and that it comes from the function's own schedule
 * rule (no AWS call and no database connection otherwise), connects with the
 * secret's credentials (no EC2 call when the secret or the database fails), reconciles, and fails the
 * invocation when a pool failed for a reason other than a bad row or insufficient capacity.
 */
export function createReserverHandler(deps: ReserverDeps) {
  const config = reconcileConfigFrom(deps.env);
  return async function handler(event: unknown, context?: Context): Promise<ReserverSummary> {
    if (context) logger.addContext(context);
    const scheduled = parseOwnSchedule(event, deps.env.SCHEDULE_RULE_ARN);
    logger.appendKeys({ scheduledTime: scheduled.time, eventId: scheduled.id });

    const db = await connectDatabase(
      {
        host: deps.env.DB_HOST,
        port: deps.env.DB_PORT,
        database: deps.env.DB_NAME,
        tls: deps.env.DB_TLS,
        sessionTimeoutSeconds: deps.env.DB_SESSION_TIMEOUT_SECONDS,
      },
      deps.credentials,
      logger,
    );
    let result;
    try {
      result = await reconcile(
        {
          db,
          ec2: deps.ec2,
          managedBy: deps.env.MANAGED_BY,
          ...(deps.metrics ? { metrics: deps.metrics } : {}),
          ...(deps.group ? { group: deps.group } : {}),
        },
        config,
      );
    } finally {
      await db
        .end()
        .catch((error: unknown) =>
          logger.warn('closing the database connection failed', { error }),
        );
    }
    if (result.status === 'locked') return { status: 'locked' };

    const failed = result.pools.filter((p) => p.status === 'failed');
    if (failed.length > 0) {
      throw new ReconcileFailedError(
        `${failed.length} pool(s) failed (see Last_Error): ${failed
          .slice(0, 5)
          .map((p) => `${p.instanceType}/${p.availabilityZone}: ${p.error ?? ''}`)
          .join('; ')}`,
        failed.map((p) => ({
          pool: `${p.instanceType}/${p.availabilityZone}`,
          error: p.error ?? '',
        })),
      );
    }
    return {
      status: 'completed',
      rows: result.pools.length,
      reconciled: count(result.pools, 'reconciled'),
      invalid: count(result.pools, 'invalid'),
      insufficientCapacity: count(result.pools, 'insufficient-capacity'),
      reservationsCreated: result.pools.reduce((n, p) => n + p.reservationsCreated, 0),
      instancesRemoved: result.pools.reduce((n, p) => n + p.instancesRemoved, 0),
    };
  };
}
