import '../fixtures/env';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { ResizeFailedError } from '../../../functions/redshift-resize/errors';
import {
  RESIZE_METRIC_SPECS,
  RESIZE_METRICS,
} from '../../../functions/redshift-resize/metric-names';
import { ResizeWorld, wireRedshift } from '../fixtures/world';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';

/** The resize function's EMF output as CloudWatch reads it from the log (the dashboard graphs these). */

const SERVICE = 'redshift-resize-resize';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const mocks: AwsStub<any, any, any>[] = [];
recordIamCalls(SERVICE, mocks);

type Module = typeof import('../../../functions/redshift-resize/resize.handler');
const savedEnv = { ...process.env };
let handler: Module['handler'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let redshiftMock: AwsStub<any, any, any>;
let world: ResizeWorld;

beforeAll(async () => {
  enableEmf({ service: SERVICE });
  const mod: Module = await import('../../../functions/redshift-resize/resize.handler');
  handler = mod.handler;
  redshiftMock = mockClient(mod.redshift);
  mocks.push(redshiftMock);
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  redshiftMock.reset();
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
});

const start = () =>
  handler({ action: 'start', targetNodeCount: 8, classic: false, nodeType: 'ra3.4xlarge' });
const status = () => handler({ action: 'status', targetNodeCount: 8 });

describe('resize EMF metrics', () => {
  it('counts ResizeSucceeded once, when the status step finds the resize done', async () => {
    // Prepare
    world.resizePolls = 1;
    const started = await captureEmf(start);

    // Act
    const during = await captureEmf(status);
    const done = await captureEmf(status);

    // Assess
    expect(started.metrics).toEqual([]);
    expect(during.result).toMatchObject({ done: false });
    expect(during.metrics).toEqual([]);
    expect(done.result).toMatchObject({ done: true });
    expect(done.metrics).toEqual([
      {
        namespace: 'OpsAutopilot',
        name: RESIZE_METRICS.succeeded,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value: 1,
      },
    ]);
  });

  it('counts ResizeFailed when Redshift reports the resize failed, and still fails the step', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';
    world.resizePolls = 0;
    await start();

    // Act
    const { metrics, error } = await captureEmf(status);

    // Assess
    expect(error).toBeInstanceOf(ResizeFailedError);
    expect(metrics).toEqual([
      {
        namespace: 'OpsAutopilot',
        name: RESIZE_METRICS.failed,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value: 1,
      },
    ]);
  });

  it('counts nothing when starting the resize fails (the execution failure counts it)', async () => {
    // Prepare
    world.cluster = { status: 'modifying', nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const { metrics, error } = await captureEmf(start);

    // Assess
    expect(error).toBeDefined();
    expect(metrics).toEqual([]);
  });

  it('emits exactly the metrics functions/redshift-resize/metric-names.ts declares for the resize', async () => {
    // Prepare
    world.resizePolls = 0;
    await start();
    const succeeded = await captureEmf(status);
    world = ResizeWorld.standard();
    world.resizeOutcome = 'FAILED';
    world.resizePolls = 0;
    redshiftMock.reset();
    wireRedshift(world, redshiftMock);
    await start();

    // Act
    const failed = await captureEmf(status);

    // Assess
    expect(distinctSpecs([...succeeded.metrics, ...failed.metrics].map(specOf))).toEqual(
      distinctSpecs(RESIZE_METRIC_SPECS),
    );
  });
});
