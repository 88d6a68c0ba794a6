import { CreateCapacityReservationCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../functions/capacity-reservation/database';
import { INSUFFICIENT_CAPACITY } from '../../functions/capacity-reservation/ec2';
import { reconcile, type MetricsSink } from '../../functions/capacity-reservation/reconcile';
import { clientConfig, withoutSdkRetryOn } from '../../functions/shared/aws';
import { FAKE_CREDENTIALS, FakeEc2HttpHandler } from './fixtures/ec2-http';
import { Ec2World } from './fixtures/ec2-world';
import { startMariaDb } from '../support/mariadb';
import type { BenchResult } from '../support/bench/types';

/**
 * Reserver throughput: 500 demand rows in a real (throwaway) MariaDB, EC2 behind a fake HTTP layer with
 * 20 ms latency and an account limit of 100 requests/s (token bucket, RequestLimitExceeded above it), the
 * real EC2Client and its real retry (clientConfig(): adaptive). The lower bound on wall time is the
 * necessary EC2 requests / 100 per second; the target is within 1.3x of it. The baseline is the seed's
 * way - one row after the other, Create then `UPDATE ... + N` - in the same process against the same fake.
 */

const ROWS = 500;
const LATENCY_MS = 20;
const RATE_PER_SECOND = 100;
const RUNS = Math.max(1, Math.min(Number(process.env.BENCH_RUNS ?? 3), 3));
const MANAGED_BY = 'ops-autopilot-odcr-bench';
const FAMILIES = ['m5', 'm6i', 'm7i', 'c5', 'c6i', 'c7g', 'r5', 'r6g', 'r7i', 't3'];
const SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge'];
/** The fake EC2's Region (us-east-1): zone names, and zone ids for rows that give one. */
const ZONES = [
  'us-east-1a',
  'us-east-1b',
  'us-east-1c',
  'us-east-1d',
  'us-east-1e',
  'us-east-1f',
  'use1-az1',
  'use1-az3',
  'use1-az4',
  'use1-az5',
];

const silentMetrics: MetricsSink = {
  addDimensions() {
    return this as never;
  },
  addMetric() {
    return this as never;
  },
  publishStoredMetrics() {
    return this as never;
  },
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function client(world: Ec2World, sdkDefaults = false) {
  const http = new FakeEc2HttpHandler(world, {
    latencyMs: LATENCY_MS,
    ratePerSecond: RATE_PER_SECOND,
  });
  const config = { region: 'us-east-1', credentials: FAKE_CREDENTIALS, requestHandler: http };
  const ec2 = sdkDefaults
    ? new EC2Client(config)
    : withoutSdkRetryOn(new EC2Client({ ...clientConfig(), ...config }), [INSUFFICIENT_CAPACITY]);
  return { ec2, http };
}

async function seedRows(db: Connection): Promise<number> {
  await ensureSchema(db);
  const values: (string | number)[] = [];
  let total = 0;
  for (let i = 0; i < ROWS; i++) {
    const family = FAMILIES[i % FAMILIES.length] as string;
    const size = SIZES[Math.floor(i / FAMILIES.length) % SIZES.length] as string;
    const zone = ZONES[Math.floor(i / (FAMILIES.length * SIZES.length)) % ZONES.length] as string;
    const target = 1 + (i % 12); // 1..12: some rows need two chunks of 10
    total += target;
    values.push(`${family}.${size}`, zone, target);
  }
  await db.query(
    `INSERT INTO odcr_capacity (InstanceType, AvailabilityZone, Target_Capacity, Current_Capacity) VALUES ${Array(ROWS).fill('(?, ?, ?, 0)').join(', ')}`,
    values,
  );
  return total;
}

async function resetRows(db: Connection): Promise<void> {
  await db.query(
    'UPDATE odcr_capacity SET Current_Capacity = 0, Last_Error = NULL, Last_Reconciled_At = NULL',
  );
}

/** The seed's loop: every row in turn, chunks of 10, the counter incremented after each Create. */
async function seedLikeLoop(db: Connection, ec2: EC2Client): Promise<void> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT * FROM odcr_capacity');
  for (const row of rows) {
    let missing = Number(row.Target_Capacity) - Number(row.Current_Capacity);
    while (missing > 0) {
      const count = Math.min(10, missing);
      await ec2.send(
        new CreateCapacityReservationCommand({
          InstanceType: String(row.InstanceType),
          InstancePlatform: 'Linux/UNIX',
          AvailabilityZone: String(row.AvailabilityZone),
          Tenancy: 'default',
          InstanceCount: count,
          InstanceMatchCriteria: 'open',
          EndDateType: 'unlimited',
        }),
      );
      await db.execute(
        'UPDATE odcr_capacity SET Current_Capacity = Current_Capacity + ? WHERE InstanceType = ? AND AvailabilityZone = ?',
        [count, row.InstanceType, row.AvailabilityZone],
      );
      missing -= count;
    }
  }
}

export async function run(): Promise<BenchResult[]> {
  const server = await startMariaDb();
  const db = await server.connect(await server.createDatabase());
  try {
    const expectedInstances = await seedRows(db);
    const logger = new Logger({ logLevel: 'SILENT' });
    const ours: number[] = [];
    const bounds: number[] = [];
    const seed: number[] = [];
    const problems: string[] = [];
    let requests = 0;
    let throttled = 0;

    for (let i = 0; i < RUNS; i++) {
      await resetRows(db);
      const world = new Ec2World();
      const { ec2, http } = client(world);
      const started = performance.now();
      const result = await reconcile(
        { db, ec2, managedBy: MANAGED_BY, logger, metrics: silentMetrics },
        { lockName: 'ops-autopilot-odcr-bench', defaultChunkSize: 10, concurrency: 4 },
      );
      ours.push(performance.now() - started);
      // The bound counts the requests the work needs; throttled attempts are the overhead measured.
      bounds.push((http.stats.succeeded / RATE_PER_SECOND) * 1000);
      requests = http.stats.succeeded;
      throttled = http.stats.throttled;
      const reserved = world.all().reduce((n, r) => n + (r.TotalInstanceCount ?? 0), 0);
      if (
        result.status !== 'completed' ||
        result.pools.some((p) => p.status !== 'reconciled') ||
        reserved !== expectedInstances
      ) {
        problems.push(`run ${i + 1}: reserved ${reserved} of ${expectedInstances}`);
      }

      await resetRows(db);
      const seedWorld = new Ec2World();
      const baseline = client(seedWorld, true);
      const seedStarted = performance.now();
      await seedLikeLoop(db, baseline.ec2);
      seed.push(performance.now() - seedStarted);
    }

    const median_ = median(ours);
    const bound = median(bounds);
    const seedMedian = median(seed);
    const ratio = median_ / bound;
    const common = `${ROWS} rows, EC2 ${LATENCY_MS} ms latency, ${RATE_PER_SECOND} req/s token bucket`;
    return [
      {
        name: 'capacity-reservation reconcile vs rate bound',
        metric: `wall time of one reconcile run (${common}), ms`,
        unit: 'ms',
        runs: RUNS,
        median: median_,
        ratio,
        target: '<= 1.3x the rate bound',
        met: ratio <= 1.3 && problems.length === 0,
        notes:
          `bound ${bound.toFixed(0)} ms = ${requests} necessary requests (Describe per row + Create per chunk) / ${RATE_PER_SECOND} per s; ` +
          `${throttled} throttled attempts in the last run, retried by the SDK` +
          (problems.length ? `; WRONG RESULT: ${problems.join('; ')}` : ''),
      },
      {
        name: 'capacity-reservation reconcile vs seed loop',
        metric: `wall time, reconcile vs the seed's sequential loop (${common}), ms`,
        unit: 'ms',
        runs: RUNS,
        median: median_,
        baselineMedian: seedMedian,
        ratio: median_ / seedMedian,
        target: 'reported (the seed loop reads no EC2 state: Create calls only, no Describe)',
        met: true,
      },
    ];
  } finally {
    await db.end();
    await server.stop();
  }
}
