import '../fixtures/env';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import {
  GUARD_METRIC_SPECS,
  GUARD_METRICS,
  REASON_DIMENSION,
} from '../../../functions/redshift-resize/metric-names';
import { ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';

/** The guard's EMF output as CloudWatch reads it from the log (the dashboard graphs these metrics). */

const SERVICE = 'redshift-resize-guard';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const mocks: AwsStub<any, any, any>[] = [];
recordIamCalls(SERVICE, mocks);

type Module = typeof import('../../../functions/redshift-resize/guard.handler');
const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';
const savedEnv = { ...process.env };
let handler: Module['handler'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let redshiftMock: AwsStub<any, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let cloudwatchMock: AwsStub<any, any, any>;
let world: ResizeWorld;

beforeAll(async () => {
  enableEmf({ service: SERVICE });
  const mod: Module = await import('../../../functions/redshift-resize/guard.handler');
  handler = mod.handler;
  redshiftMock = mockClient(mod.redshift);
  cloudwatchMock = mockClient(mod.cloudwatch);
  mocks.push(redshiftMock, cloudwatchMock);
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  redshiftMock.reset();
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  wireCloudWatch(world, cloudwatchMock);
});

describe('guard EMF metrics', () => {
  it('counts an approved resize as ResizeApproved, dimension service only', async () => {
    // Act
    const { metrics, result } = await captureEmf(() => handler({ executionName: EXECUTION }));

    // Assess
    expect(result?.decision).toBe('RESIZE');
    expect(metrics).toEqual([
      {
        namespace: 'OpsAutopilot',
        name: GUARD_METRICS.approved,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value: 1,
      },
    ]);
  });

  it('counts a skipped resize as ResizeSkipped with the reason as dimension', async () => {
    // Prepare
    world.cluster = { status: 'resizing', nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const { metrics, result } = await captureEmf(() => handler({ executionName: EXECUTION }));

    // Assess
    expect(result?.reason).toBe('RESIZE_IN_PROGRESS');
    expect(metrics).toEqual([
      {
        namespace: 'OpsAutopilot',
        name: GUARD_METRICS.skipped,
        unit: 'Count',
        dimensions: { service: SERVICE, [REASON_DIMENSION]: 'RESIZE_IN_PROGRESS' },
        value: 1,
      },
    ]);
  });

  it('emits nothing when the cluster cannot be read (the invocation fails instead)', async () => {
    // Prepare
    world.cluster = undefined;

    // Act
    const { metrics, error } = await captureEmf(() => handler({ executionName: EXECUTION }));

    // Assess
    expect(error).toBeDefined();
    expect(metrics).toEqual([]);
  });

  it('emits exactly the metrics functions/redshift-resize/metric-names.ts declares for the guard', async () => {
    // Act
    const approved = await captureEmf(() => handler({ executionName: EXECUTION }));
    world.cluster = { status: 'paused', nodeType: 'ra3.4xlarge', nodes: 4 };
    const skipped = await captureEmf(() => handler({ executionName: EXECUTION }));

    // Assess
    expect(distinctSpecs([...approved.metrics, ...skipped.metrics].map(specOf))).toEqual(
      distinctSpecs(GUARD_METRIC_SPECS),
    );
  });
});
