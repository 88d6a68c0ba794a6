import { CLUSTER_ID } from '../fixtures/env';
import {
  InvalidClusterStateFault,
  ResizeClusterCommand,
  type ResizeClusterCommandInput,
} from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { ClusterNotReadyError, ResizeFailedError } from '../../../functions/redshift-resize/errors';
import { handler, redshift } from '../../../functions/redshift-resize/resize.handler';
import { InvalidEventError } from '../../../functions/shared/errors';
import { ResizeWorld, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

const redshiftMock = mockClient(redshift);
recordIamCalls('redshift-resize-resize', [redshiftMock]);

let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
});

const start = (targetNodeCount: number, classic = false, nodeType = 'ra3.4xlarge') =>
  handler({ action: 'start', targetNodeCount, classic, nodeType });
const status = (targetNodeCount: number) => handler({ action: 'status', targetNodeCount });
const resizeCalls = () =>
  redshiftMock.commandCalls(ResizeClusterCommand).map((c) => c.args[0].input);

describe('start', () => {
  it('starts an elastic resize to the target node count', async () => {
    // Act
    const result = await start(8);

    // Assess
    expect(result).toMatchObject({ outcome: 'STARTED', done: false });
    expect(resizeCalls()).toEqual([
      { ClusterIdentifier: CLUSTER_ID, NodeType: 'ra3.4xlarge', NumberOfNodes: 8, Classic: false },
    ]);
  });

  it('recognises its own resize after a lost reply: the SDK retry answered InvalidClusterState', async () => {
    // Prepare: the first attempt is applied, its reply lost; the retry finds the cluster resizing
    redshiftMock.on(ResizeClusterCommand).callsFake((input: ResizeClusterCommandInput) => {
      world.resizeCluster(input);
      throw new InvalidClusterStateFault({ message: 'cluster is resizing', $metadata: {} });
    });

    // Act
    const result = await start(8);

    // Assess
    expect(result).toMatchObject({ outcome: 'ALREADY_STARTED', done: false });
    expect(resizeCalls()).toHaveLength(1);
  });

  it('every reply lost: fails as ReplyLostError, and the re-run finds its own resize', async () => {
    // Prepare: applied, then the connection resets on every attempt (what the SDK throws when it gives up)
    redshiftMock.on(ResizeClusterCommand).callsFake((input: ResizeClusterCommandInput) => {
      if (world.cluster?.status === 'available') world.resizeCluster(input);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
    });
    const failed = await start(8).then(
      () => undefined,
      (e: Error) => e.name,
    );

    // Act: the workflow's Retry invokes the step again
    const retried = await start(8);

    // Assess
    expect(failed).toBe('ReplyLostError');
    expect(retried).toMatchObject({ outcome: 'ALREADY_STARTED', done: false });
    expect(resizeCalls()).toHaveLength(1);
  });

  it('resizes a storage-full cluster (Redshift: "resize the cluster to add nodes")', async () => {
    // Prepare
    world.cluster = { status: 'storage-full', nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const result = await start(8);

    // Assess
    expect(result).toMatchObject({ outcome: 'STARTED', done: false });
    expect(resizeCalls()).toHaveLength(1);
  });

  it('turns a single-node cluster multi-node in a classic resize', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 1 };

    // Act
    await start(2, true, 'dc2.large');

    // Assess
    expect(resizeCalls()).toEqual([
      {
        ClusterIdentifier: CLUSTER_ID,
        NodeType: 'dc2.large',
        NumberOfNodes: 2,
        Classic: true,
        ClusterType: 'multi-node',
      },
    ]);
  });

  it('does not resize twice when retried after the resize started', async () => {
    // Prepare
    await start(8);

    // Act
    const retried = await start(8);

    // Assess
    expect(retried).toMatchObject({ outcome: 'ALREADY_STARTED', done: false, baseline: null });
    expect(resizeCalls()).toHaveLength(1);
  });

  it('does nothing when the cluster already has the target node count', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 8 };

    // Act
    const result = await start(8);

    // Assess
    expect(result).toMatchObject({ outcome: 'ALREADY_AT_TARGET', done: false });
    expect(resizeCalls()).toHaveLength(0);
  });

  it('refuses to resize a cluster that is not available', async () => {
    // Prepare
    world.cluster = { status: 'modifying', nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const result = start(8);

    // Assess
    await expect(result).rejects.toThrow(ClusterNotReadyError);
    expect(resizeCalls()).toHaveLength(0);
  });
});

describe('status', () => {
  it('is not done while the cluster resizes, and done once it is available at the target', async () => {
    // Prepare
    world.resizePolls = 1;
    await start(8);

    // Act
    const during = await status(8);
    const after = await status(8);

    // Assess
    expect(during).toEqual({
      done: false,
      writable: false,
      clusterWritable: false,
      clusterStatus: 'resizing',
      numberOfNodes: 4,
      resizeStatus: 'IN_PROGRESS',
    });
    expect(after).toEqual({
      done: true,
      writable: true,
      clusterWritable: true,
      clusterStatus: 'available',
      numberOfNodes: 8,
      resizeStatus: 'SUCCEEDED',
    });
  });

  it('is not fooled by an earlier successful resize to another size', async () => {
    // Prepare: the cluster is still available and DescribeResize shows the previous resize.
    world.lastResize = { Status: 'SUCCEEDED', TargetNumberOfNodes: 4, ResizeType: 'ElasticResize' };

    // Act
    const result = await status(8);

    // Assess
    expect(result.done).toBe(false);
  });

  it('is not done before Redshift has registered any resize', async () => {
    // Act
    const result = await status(8);

    // Assess
    expect(result).toEqual({
      done: false,
      writable: false,
      clusterWritable: true,
      clusterStatus: 'available',
      numberOfNodes: 4,
      resizeStatus: null,
    });
  });

  it('throws ResizeFailedError when the resize to the target failed', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';
    world.resizePolls = 0;
    await start(8);

    // Act
    const result = status(8);

    // Assess
    await expect(result).rejects.toThrow(ResizeFailedError);
  });
});

describe('invalid payloads', () => {
  it.each([
    [{ action: 'start', targetNodeCount: 8 }],
    [{ action: 'start', targetNodeCount: 0, classic: false, nodeType: 'ra3.4xlarge' }],
    [{ action: 'status', targetNodeCount: '8' }],
    [{ action: 'delete' }],
  ])('rejects %j with InvalidEventError before any AWS call', async (event) => {
    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
    expect(redshiftMock.calls()).toHaveLength(0);
  });
});
