import {
  CreateSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EC2ServiceException,
  type Filter,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import type { CreateConfig } from '../../functions/ebs-snapshot/config';
import { snapshotPage, type PageInput } from '../../functions/ebs-snapshot/run';
import { SNAPSHOT_TAGS } from '../../functions/ebs-snapshot/tags';
import type { BenchResult } from '../support/bench/types';
import { managedBy, resourceName, WORLD } from '../support/deployment';
import { MemorySnapshotStore } from './fixtures/memory-store';
import { TestClock } from './fixtures/test-clock';

/**
 * A whole snapshot run as the state machine drives it (one page task after another), in simulated time,
 * against EC2 token buckets per action category. Default figures of
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html: mutating actions (CreateSnapshot)
 * bucket 200, refill 5/s; non-mutating (Describe*) bucket 100, refill 20/s.
 */
const SIZES = [1_000, 10_000, 100_000];
const RATE = 4;
const PAGE = 500;
const BUCKETS = { mutating: { size: 200, refill: 5 }, nonMutating: { size: 100, refill: 20 } };

class TokenBucket {
  private tokens: number;
  private at: number;
  throttled = 0;

  constructor(
    private readonly size: number,
    private readonly refill: number,
    private readonly now: () => number,
  ) {
    this.tokens = size;
    this.at = now();
  }

  take(): void {
    const t = this.now();
    this.tokens = Math.min(this.size, this.tokens + ((t - this.at) / 1000) * this.refill);
    this.at = t;
    if (this.tokens < 1) {
      this.throttled += 1;
      throw new EC2ServiceException({
        name: 'RequestLimitExceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 503 },
        message: 'Request limit exceeded.',
      });
    }
    this.tokens -= 1;
  }
}

const valuesOf = (filters: Filter[] | undefined, name: string) =>
  filters?.find((f) => f.Name === name)?.Values ?? [];

/** An EC2Client whose send answers from memory, through the buckets (the paginators need a real client). */
function fakeEc2(volumes: number, clock: TestClock) {
  const now = () => clock.now().getTime();
  const mutating = new TokenBucket(BUCKETS.mutating.size, BUCKETS.mutating.refill, now);
  const describe = new TokenBucket(BUCKETS.nonMutating.size, BUCKETS.nonMutating.refill, now);
  const byVolume = new Map<string, Snapshot[]>();
  let created = 0;
  const volume = (i: number): Volume => ({
    VolumeId: `vol-${i.toString(16).padStart(17, '0')}`,
    AvailabilityZone: `${WORLD.region}a`,
    State: 'in-use',
    Size: 8,
    Tags: [{ Key: 'Snapshot', Value: '7' }],
  });
  const ec2 = new EC2Client({ region: WORLD.region });
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof DescribeVolumesCommand) {
      describe.take();
      const from = Number(command.input.NextToken ?? 0);
      const to = Math.min(volumes, from + (command.input.MaxResults ?? PAGE));
      const page = Array.from({ length: to - from }, (_, k) => volume(from + k));
      return { Volumes: page, ...(to < volumes ? { NextToken: String(to) } : {}) };
    }
    if (command instanceof DescribeInstancesCommand) {
      // No tagged instance: the run's set page lists none.
      describe.take();
      return { Reservations: [] };
    }
    if (command instanceof DescribeSnapshotsCommand) {
      describe.take();
      const ids = valuesOf(command.input.Filters, `tag:${SNAPSHOT_TAGS.volumeId}`);
      return { Snapshots: ids.flatMap((id) => byVolume.get(id) ?? []) };
    }
    if (command instanceof CreateSnapshotCommand) {
      mutating.take();
      created += 1;
      const snapshot: Snapshot = {
        SnapshotId: `snap-${created.toString(16).padStart(17, '0')}`,
        VolumeId: command.input.VolumeId,
        State: 'pending',
        StartTime: clock.now(),
        Tags: command.input.TagSpecifications?.[0]?.Tags ?? [],
      };
      const id = command.input.VolumeId ?? '';
      byVolume.set(id, [...(byVolume.get(id) ?? []), snapshot]);
      return snapshot;
    }
    throw new Error(`fake EC2: unexpected ${String((command as object).constructor.name)}`);
  };
  Object.assign(ec2, { send });
  return { ec2, mutating, describe, created: () => created };
}

const config: CreateConfig = {
  tableName: resourceName('ebs-snapshots'),
  tagKey: 'Snapshot',
  instanceTagKey: 'SnapshotInstance',
  excludeBootVolume: false,
  defaultRetentionDays: 7,
  managedBy: managedBy('ebs-snapshot-lifecycle'),
  concurrency: 8,
  maxRequestsPerSecond: RATE,
  defaultRetainCount: 0,
  claimSettleSeconds: 60,
  recycleBinExclusionTags: {},
};

async function runOf(volumes: number) {
  const start = new Date('2026-11-23T16:00:00Z');
  const clock = new TestClock(start);
  const fake = fakeEc2(volumes, clock);
  const store = new MemorySnapshotStore();
  const runKey = start.toISOString();
  let input: PageInput = { runKey };
  let invocations = 0;
  let peakHeapMb = 0;
  let longestPageS = 0;
  for (;;) {
    const before = process.memoryUsage().heapUsed;
    const pageStart = clock.now().getTime();
    const page = await snapshotPage(
      { ec2: fake.ec2, store, now: clock.now, sleep: clock.sleep, attempt: `a-${invocations}` },
      config,
      input,
    );
    invocations += 1;
    longestPageS = Math.max(longestPageS, (clock.now().getTime() - pageStart) / 1000);
    peakHeapMb = Math.max(peakHeapMb, (process.memoryUsage().heapUsed - before) / 2 ** 20);
    if (page.failed > 0) throw new Error(`bench page failed ${page.failed} volumes`);
    if (!page.pageToken) break;
    input = { runKey, pageToken: page.pageToken, nextSlotAt: page.nextSlotAt };
  }
  if (fake.created() !== volumes)
    throw new Error(`bench run created ${fake.created()} of ${volumes}`);
  const seconds = (clock.now().getTime() - start.getTime()) / 1000;
  return { seconds, invocations, peakHeapMb, longestPageS, fake };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const volumes of SIZES) {
    const r = await runOf(volumes);
    const bound = volumes / RATE;
    results.push({
      name: `snapshot run of ${volumes} volumes on Step Functions`,
      metric: `simulated wall time of a whole run at snapshot_max_requests_per_second=${RATE}, s`,
      unit: 's',
      runs: 1,
      median: r.seconds,
      ratio: r.seconds / bound,
      target: '<= 1.3x the rate bound',
      met: r.seconds / bound <= 1.3,
      notes: `rate bound ${bound} s; ${r.invocations} page invocations per run (${PAGE} volumes each, the longest ${r.longestPageS} s of the 900 s limit); peak heap growth in one page ${r.peakHeapMb.toFixed(1)} MB; throttled: CreateSnapshot ${r.fake.mutating.throttled}, Describe* ${r.fake.describe.throttled}; Step Functions transition time not modelled`,
    });
  }
  return results;
}
