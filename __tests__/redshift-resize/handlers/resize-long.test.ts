import '../fixtures/env';
import { mockClient } from 'aws-sdk-client-mock';
import { ResizeFailedError } from '../../../functions/redshift-resize/errors';
import { handler, redshift } from '../../../functions/redshift-resize/resize.handler';
import type {
  ResizeStatusResult,
  StartResizeResult,
} from '../../../functions/redshift-resize/resize';
import { ResizeWorld, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

// Long and retried resizes: DMS must never be resumed into a read-only cluster, and an earlier resize's
// record is never this run's result.
const redshiftMock = mockClient(redshift);
recordIamCalls('redshift-resize-resize', [redshiftMock]);

let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
});

const start = (targetNodeCount: number, classic = false, nodeType = 'ra3.4xlarge') =>
  handler({ action: 'start', targetNodeCount, classic, nodeType }) as Promise<StartResizeResult>;
const status = (targetNodeCount: number, baseline: StartResizeResult['baseline'] = null) =>
  handler({ action: 'status', targetNodeCount, baseline }) as Promise<ResizeStatusResult>;

describe('a stale FAILED record of an earlier resize', () => {
  beforeEach(() => {
    world.lastResize = {
      Status: 'FAILED',
      TargetNumberOfNodes: 8,
      TargetNodeType: 'ra3.4xlarge',
      ResizeType: 'ElasticResize',
      ElapsedTimeInSeconds: 1234,
      Message: 'Resize failed: insufficient capacity (last week)',
    };
  });

  it('is kept as the baseline when this run starts its resize', async () => {
    // Act
    const started = await start(8);

    // Assess
    expect(started.baseline).toEqual({
      status: 'FAILED',
      targetNumberOfNodes: 8,
      targetNodeType: 'ra3.4xlarge',
      resizeType: 'ElasticResize',
      elapsedTimeInSeconds: 1234,
    });
  });

  it('is never read as the result of this run, even with the same target', async () => {
    // Prepare: this run's ResizeCluster is accepted, but DescribeResize still shows the old record.
    const { baseline } = await start(8);
    const ours = world.lastResize;
    world.lastResize = {
      Status: 'FAILED',
      TargetNumberOfNodes: 8,
      TargetNodeType: 'ra3.4xlarge',
      ResizeType: 'ElasticResize',
      ElapsedTimeInSeconds: 1234,
    };

    // Act
    const result = await status(8, baseline);
    world.lastResize = ours;

    // Assess
    expect(result).toMatchObject({ done: false, writable: false });
  });
});

describe('a FAILED status Redshift retries', () => {
  it('is not final while the cluster still resizes: not done, not writable, no error', async () => {
    // Prepare
    world.retriedFailurePolls = 1;
    world.resizePolls = 3;
    const { baseline } = await start(8);

    // Act
    const retrying = await status(8, baseline);

    // Assess
    expect(retrying).toMatchObject({
      done: false,
      writable: false,
      clusterWritable: false,
      clusterStatus: 'resizing',
      resizeStatus: 'FAILED',
    });
  });

  it('ends in success when the retry succeeds', async () => {
    // Prepare
    world.retriedFailurePolls = 1;
    world.resizePolls = 1;
    const { baseline } = await start(8);

    // Act
    const seen: ResizeStatusResult[] = [];
    for (let i = 0; i < 5 && !seen.at(-1)?.done; i += 1) seen.push(await status(8, baseline));

    // Assess
    expect(seen.map((s) => s.resizeStatus)).toContain('FAILED');
    expect(seen.at(-1)).toMatchObject({ done: true, numberOfNodes: 8 });
  });

  it('is final once the cluster is writable again', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';
    world.resizePolls = 0;
    const { baseline } = await start(8);

    // Act
    const result = status(8, baseline);

    // Assess
    await expect(result).rejects.toThrow(ResizeFailedError);
  });
});

describe('writable while resizing', () => {
  it('a classic resize to RA3 keeps the cluster writable: DMS may run during data migration', async () => {
    // Prepare
    world.resizePolls = 3;
    const { baseline } = await start(8, true);

    // Act
    const result = await status(8, baseline);

    // Assess
    expect(result).toMatchObject({ done: false, writable: true, clusterStatus: 'resizing' });
  });

  it('a classic resize to DC2 keeps it read-only to the end', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 4 };
    world.resizePolls = 3;
    const { baseline } = await start(8, true, 'dc2.large');

    // Act
    const result = await status(8, baseline);

    // Assess
    expect(result).toMatchObject({ done: false, writable: false, clusterWritable: false });
  });
});
