import { EC2Client } from '@aws-sdk/client-ec2';
import type { Connection } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { INSUFFICIENT_CAPACITY } from '../../../functions/capacity-reservation/ec2';
import { withoutSdkRetryOn } from '../../../functions/shared/aws';
import {
  reconcile,
  type PoolOutcome,
  type ReconcileResult,
} from '../../../functions/capacity-reservation/reconcile';
import { clientConfig } from '../../../functions/shared/aws';
import { insertSeedRow, readRow } from '../fixtures/demand';
import {
  FAKE_CREDENTIALS,
  FakeEc2HttpHandler,
  recordCommands,
  type FakeEc2Options,
} from '../fixtures/ec2-http';
import { reservationTags } from '../fixtures/ec2-mock';
import { Ec2World } from '../fixtures/ec2-world';
import { MANAGED_BY } from '../fixtures/events';
import { recordIamCalls } from '../../support/iam-recorder';
import { describeWithMariaDb, startMariaDb, type MariaDbServer } from '../../support/mariadb';

/*
 * aws-sdk-client-mock replaces `send`, so the SDK's retry never runs under it. Here a real EC2Client, built
 * like the handler's (clientConfig(): adaptive retry; InsufficientInstanceCapacity not retried), talks to a
 * fake HTTP layer that answers with EC2's documented XML, errors and status codes.
 */

let world = new Ec2World();
let recorder: ReturnType<typeof recordCommands> | undefined;
const currentCalls = { clientName: () => 'EC2Client', calls: () => recorder?.calls() ?? [] };
recordIamCalls(
  'capacity-reservation-reserver',
  [currentCalls as unknown as Parameters<typeof recordIamCalls>[1][number]],
  reservationTags(() => world),
);

const config = { lockName: 'ops-autopilot-odcr', defaultChunkSize: 10, concurrency: 4 };

function completed(result: ReconcileResult): readonly PoolOutcome[] {
  if (result.status !== 'completed')
    throw new Error(`expected a completed run, got ${result.status}`);
  return result.pools;
}

describeWithMariaDb('SDK retry against EC2 (real EC2Client, fake HTTP layer, real MariaDB)', () => {
  let server: MariaDbServer;
  let db: Connection;

  /** The handler's client, on the fake wire. */
  function ec2Client(options: FakeEc2Options, maxAttempts?: number, withRetryExclusions = true) {
    const http = new FakeEc2HttpHandler(world, options);
    const raw = new EC2Client({
      ...clientConfig(maxAttempts),
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      requestHandler: http,
    });
    const client = withRetryExclusions ? withoutSdkRetryOn(raw, [INSUFFICIENT_CAPACITY]) : raw;
    recorder = recordCommands(client);
    return { client, http };
  }

  beforeAll(async () => {
    server = await startMariaDb();
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    world = new Ec2World();
    recorder = undefined;
    db = await server.connect(await server.createDatabase());
    await ensureSchema(db);
  });

  afterEach(async () => {
    await db?.end();
  });

  it('retries RequestLimitExceeded (HTTP 503) with backoff and completes the run', async () => {
    // Prepare
    await insertSeedRow(db, 'm5.large', 'us-east-1a', 3);
    const { client, http } = ec2Client({
      fault: ({ action, n }) =>
        (action === 'DescribeCapacityReservations' || action === 'CreateCapacityReservation') &&
        n === 1
          ? {
              kind: 'error',
              code: 'RequestLimitExceeded',
              status: 503,
              message: 'Request limit exceeded.',
            }
          : undefined,
    });

    // Act
    const pools = completed(await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config));

    // Assess
    expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 3 });
    expect(http.stats.byAction).toEqual({
      DescribeAvailabilityZones: 1,
      // the pool's lookup (throttled once, retried) and the run's orphan listing
      DescribeCapacityReservations: 3,
      CreateCapacityReservation: 2,
    });
    expect(world.liveInstances('m5.large', 'us-east-1a')).toBe(3);
  });

  it('keeps every pool going under an account rate limit (token bucket, throttled calls retried)', async () => {
    // Prepare
    for (const az of ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']) {
      await insertSeedRow(db, 'm5.large', az, 2);
      await insertSeedRow(db, 'c5.large', az, 2);
    }
    const { client, http } = ec2Client({ ratePerSecond: 25, burst: 2, latencyMs: 5 });

    // Act
    const pools = completed(await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config));

    // Assess
    expect(pools.map((p) => p.status)).toEqual(Array(10).fill('reconciled'));
    expect(http.stats.throttled).toBeGreaterThan(0);
    expect(world.all()).toHaveLength(10);
  });

  it.each([
    ['InternalError', 500],
    ['Unavailable', 503],
  ])('retries a %s (HTTP %d) server error', async (code, status) => {
    // Prepare
    await insertSeedRow(db, 'm5.large', 'us-east-1a', 4);
    const { client, http } = ec2Client({
      fault: ({ action, n }) =>
        action === 'CreateCapacityReservation' && n === 1
          ? { kind: 'error', code, status }
          : undefined,
    });

    // Act
    await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config);

    // Assess
    expect(http.stats.byAction.CreateCapacityReservation).toBe(2);
    expect(world.liveInstances('m5.large', 'us-east-1a')).toBe(4);
    expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(4);
  });

  it('retries a Create whose response was lost with the same ClientToken, and reserves once', async () => {
    // Prepare
    await insertSeedRow(db, 'm5.large', 'us-east-1a', 4);
    const { client, http } = ec2Client({
      fault: ({ action, n }) =>
        action === 'CreateCapacityReservation' && n === 1
          ? { kind: 'timeout-after-processing' }
          : undefined,
    });

    // Act
    const pools = completed(await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config));

    // Assess
    const [first, retry] = http.stats.createTokens;
    expect(http.stats.createTokens).toHaveLength(2);
    expect(retry).toBe(first);
    expect(world.all()).toHaveLength(1);
    expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 4, reservationsCreated: 1 });
  });

  it('counts a Cancel whose reply was lost as done when the retry finds the reservation already cancelled', async () => {
    // Prepare
    await insertSeedRow(db, 'm5.large', 'us-east-1a', 0, 4);
    const id = world.addReservation({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      total: 4,
      tags: { 'managed-by': MANAGED_BY, 'ops-autopilot:pool': 'm5.large/us-east-1a' },
    });
    const { client, http } = ec2Client({
      fault: ({ action, n }) =>
        action === 'CancelCapacityReservation' && n === 1
          ? { kind: 'timeout-after-processing' }
          : undefined,
    });

    // Act
    const pools = completed(await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config));

    // Assess
    expect(http.stats.byAction.CancelCapacityReservation).toBe(2);
    expect(world.get(id)?.State).toBe('cancelled');
    expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 0, instancesRemoved: 4 });
    expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
      Current_Capacity: 0,
      Last_Error: null,
    });
  });

  it('does not retry InsufficientInstanceCapacity (HTTP 500) in the SDK: one call, recorded, next run tries again', async () => {
    // Prepare
    await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 2);
    world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
    const { client, http } = ec2Client({});

    // Act
    const pools = completed(await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config));

    // Assess
    expect(http.stats.byAction.CreateCapacityReservation).toBe(1);
    expect(pools[0]?.status).toBe('insufficient-capacity');
    expect((await readRow(db, 'p4d.24xlarge', 'us-east-1a'))?.Last_Error).toMatch(
      /^InsufficientInstanceCapacity: /,
    );
  });

  it('would retry InsufficientInstanceCapacity without the exclusion (why withoutSdkRetryOn exists)', async () => {
    // Prepare
    await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 2);
    world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
    const { client, http } = ec2Client({}, 3, false);

    // Act
    await reconcile({ db, ec2: client, managedBy: MANAGED_BY }, config);

    // Assess
    expect(http.stats.byAction.CreateCapacityReservation).toBe(3);
  });
});
