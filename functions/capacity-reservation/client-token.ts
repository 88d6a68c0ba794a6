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
 * Why the observed count is part of it: EC2 answers a reused token with the original reservation for at
 * least 24 hours, whatever happened to it since. Without the observed count, once a reservation of this
 * pool was cancelled or expired, the next run would compute the same (row, target, chunk) token, get back
 * the dead reservation, count it as created, and never close the gap. The observed count changes whenever
 * capacity appears or disappears, so a new situation gets new tokens. It is not enough alone (the count can
 * return to an earlier value), which is why a returned reservation that is not live, or is one we already
 * counted, is treated as a burnt token and replaced with successorToken().
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
        'v1',
        chunk.managedBy,
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
