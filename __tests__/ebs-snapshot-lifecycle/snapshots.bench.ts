import { CreateSnapshotCommand, type Volume } from '@aws-sdk/client-ec2';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { FakeEc2Http } from './fixtures/fake-ec2-http';
import { managedBy, resourceName, WORLD } from '../support/deployment';
import { createDynamoDbClient, createEc2Client } from '../../functions/ebs-snapshot/clients';
import { snapshotVolumes } from '../../functions/ebs-snapshot/run';
import { dynamoDbSnapshotStore } from '../../functions/ebs-snapshot/store';
import {
  ec2Throttle,
  FAKE_CREDENTIALS,
  median,
  okDynamoDb,
  rateLimited,
} from '../support/bench/fake-aws';
import type { BenchResult } from '../support/bench/types';

const VOLUMES = 1000;
const LATENCY_MS = 20;
const RATE = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function volumePages(): Array<{ Volumes: Volume[]; NextToken?: string }> {
  const volumes: Volume[] = Array.from({ length: VOLUMES }, (_, i) => ({
    VolumeId: `vol-${i.toString(16).padStart(17, '0')}`,
    AvailabilityZone: `${WORLD.region}a`,
    Size: 8,
    State: 'in-use',
    VolumeType: 'gp3',
    Encrypted: true,
    Tags: [
      { Key: 'Snapshot', Value: '7' },
      { Key: 'Name', Value: `data-${i}` },
    ],
  }));
  const pages = [];
  for (let i = 0; i < volumes.length; i += 500)
    pages.push({
      Volumes: volumes.slice(i, i + 500),
      ...(i + 500 < volumes.length ? { NextToken: `page-${i + 500}` } : {}),
    });
  return pages;
}

function world() {
  const fake = new FakeEc2Http(volumePages(), () => new Date());
  const ec2Http = rateLimited(
    fake.handle,
    { latencyMs: LATENCY_MS, ratePerSecond: RATE },
    ec2Throttle,
  );
  const base = { region: WORLD.region, credentials: FAKE_CREDENTIALS };
  const ec2 = createEc2Client({ ...base, requestHandler: ec2Http });
  const ddb = createDynamoDbClient({ ...base, requestHandler: okDynamoDb(5) });
  return { fake, ec2Http, ec2, ddb };
}

const config = {
  tableName: resourceName('ebs-snapshots'),
  tagKey: 'Snapshot',
  instanceTagKey: 'SnapshotInstance',
  excludeBootVolume: false,
  defaultRetentionDays: 7,
  managedBy: managedBy('ebs-snapshot-lifecycle'),
  concurrency: Number(process.env.BENCH_SNAPSHOT_CONCURRENCY ?? 8),
  maxRequestsPerSecond: RATE,
  defaultRetainCount: 0,
  claimSettleSeconds: 60,
  recycleBinExclusionTags: {},
};

async function ours(): Promise<{
  ms: number;
  requests: number;
  throttled: number;
  created: number;
}> {
  const w = world();
  const started = performance.now();
  const result = await snapshotVolumes(
    { ec2: w.ec2, store: dynamoDbSnapshotStore(w.ddb, config), now: () => new Date() },
    config,
    `2026-11-23T16:00:${Math.random().toFixed(3)}Z`,
  );
  const ms = performance.now() - started;
  if (result.created !== VOLUMES)
    throw new Error(`bench run created ${result.created} of ${VOLUMES} (failed ${result.failed})`);
  return {
    ms,
    requests: w.ec2Http.stats.requests - w.ec2Http.stats.throttled,
    throttled: w.ec2Http.stats.throttled,
    created: result.created,
  };
}

/** The seed's loop: one volume after another, create then record. */
async function seedLike(): Promise<number> {
  const w = world();
  const started = performance.now();
  for (const page of volumePages()) {
    for (const v of page.Volumes) {
      const snap = await w.ec2.send(
        new CreateSnapshotCommand({ VolumeId: v.VolumeId, Description: v.VolumeId }),
      );
      await w.ddb.send(
        new PutItemCommand({
          TableName: config.tableName,
          Item: { snapshot_id: { S: snap.SnapshotId ?? '' } },
        }),
      );
    }
  }
  return performance.now() - started;
}

export async function run(): Promise<BenchResult[]> {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await ours());
  const baseline = await seedLike();
  const ms = median(runs.map((r) => r.ms));
  const requests = median(runs.map((r) => r.requests));
  const boundMs = (requests / RATE) * 1000;
  return [
    {
      name: `snapshot ${VOLUMES} volumes`,
      metric: `wall time against a mocked EC2 (${LATENCY_MS} ms latency, ${RATE} req/s limit), ms`,
      unit: 'ms',
      runs: RUNS,
      median: ms,
      baselineMedian: baseline,
      ratio: ms / boundMs,
      target: '<= 1.3x the rate bound',
      met: ms / boundMs <= 1.3,
      notes: `rate bound ${boundMs.toFixed(0)} ms for ${requests} accepted EC2 requests; throttled answers per run: ${median(runs.map((r) => r.throttled))}; seed-like sequential loop (1 run): ${baseline.toFixed(0)} ms; concurrency ${config.concurrency}`,
    },
  ];
}
