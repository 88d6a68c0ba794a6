import { createHash } from 'node:crypto';
import type { PoolDemand } from './rows';

/** Everything one CreateCapacityReservation chunk depends on. */
export interface ChunkIdentity {
  readonly managedBy: string;
  readonly demand: PoolDemand;
  /** Instances held by our active/pending reservations when this reconciliation of the pool started. */
  readonly observed: number;
  /** 0-based position of the chunk within this reconciliation's gap. */
  readonly chunkIndex: number;
  /** Instances requested by this chunk. */
  readonly instanceCount: number;
}

const PREFIX = 'odcr-';

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/**
 * The ClientToken of one chunk: `odcr-` + 40 hex characters (45 ASCII characters; EC2 allows 64).
 *
 * Deterministic, so the SDK's retry of a timed-out call, a second overlapping run, or the next run when
 * DescribeCapacityReservations has not caught up yet all send the same token and EC2 answers with the
 * reservation it already made instead of reserving again.
 *
 * EC2 answers a reused token with the original reservation for at least 24 hours, whatever happened to it
 * since. So a token must not come back once its reservation may be gone: it includes the pool's generation,
 * a counter kept in the row that moves on after every run in which the pool sent no Create (so never while
 * a Create may still be invisible to Describe, and always before a released pool is filled again). A target
 * toggled 10 -> 0 -> 10 therefore gets new tokens every time, however often: the scheme cannot run out.
 * Within one generation the observed count keeps apart the situations a run can meet; a returned
 * reservation that is not live, or one already counted, still burns the token and successorToken() takes
 * over (this needs a reservation cancelled or expired out of band during a streak of creating runs).
 *
 * The request parameters (count, platform, tenancy, end date, chunk size) are included too, so changing
 * them never hits IdempotentParameterMismatch on a token used with other parameters.
 */
export function clientToken(chunk: ChunkIdentity): string {
  const { demand } = chunk;
  return (
    PREFIX +
    digest(
      JSON.stringify([
        'v2',
        chunk.managedBy,
        demand.generation,
        demand.instanceType,
        demand.availabilityZone,
        demand.target,
        chunk.observed,
        chunk.chunkIndex,
        chunk.instanceCount,
        demand.chunkSize,
        demand.platform,
        demand.tenancy,
        demand.endDate?.toISOString() ?? 'unlimited',
        // Only for future-dated requests, so the tokens of every other request stay what they were.
        ...(demand.future
          ? [demand.future.startDate.toISOString(), demand.future.commitmentDays]
          : []),
        // Likewise only for targeted requests: open ones keep their tokens.
        ...(demand.match === 'targeted' ? ['targeted'] : []),
      ]),
    )
  );
}

/**
 * The token to use instead of `token` when it is burnt: EC2 returned a reservation that is no longer
 * live (or that we already count), or refused it with IdempotentParameterMismatch. Derived from what burnt
 * it, so it is as deterministic as the first token.
 */
export function successorToken(token: string, burntBy: string): string {
  return PREFIX + digest(JSON.stringify([token, burntBy]));
}
