import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  GetRuleCommand,
  ListRulesCommand,
  RbinClient,
} from '../../../functions/ebs-snapshot/rbin-client';
import { SWEEP_METRICS } from '../../../functions/ebs-snapshot/metric-names';
import { metrics } from '../../../functions/shared/metrics';
import { recordIamCalls } from '../../support/iam-recorder';
import { DAY_MS, HOUR_MS, managedSnapshot, SWEEP_ENV, SweepBed } from '../fixtures/sweep-bed';
import { scheduledEvent } from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/sweep.handler').handler;

const bed = new SweepBed();
// RbinClient has the SDK's send(command) shape, which is all the mock library stubs and records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rbinMock = mockClient(RbinClient as never) as AwsStub<any, any, any>;
recordIamCalls('ebs-snapshot-sweep', [rbinMock]);
const savedEnv = { ...process.env };
let handler: Handler;
const ownEvent = () => ({ ...scheduledEvent(), resources: [SWEEP_ENV.SCHEDULE_RULE_ARN] });

beforeAll(async () => {
  Object.assign(process.env, SWEEP_ENV);
  ({ handler } = await import('../../../functions/ebs-snapshot/sweep.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  rbinMock.reset();
  rbinMock.on(ListRulesCommand as never).resolves({ Rules: [{ Identifier: 'region-rule' }] });
  rbinMock
    .on(GetRuleCommand as never)
    .resolves({ Identifier: 'region-rule', ResourceTags: [], ExcludeResourceTags: [] });
});
afterEach(() => jest.restoreAllMocks());

test('a scheduled event of another rule makes no AWS call and fails', async () => {
  // Act
  const run = handler(scheduledEvent());

  // Assess
  await expect(run).rejects.toMatchObject({ name: 'ForeignScheduleError' });
  expect(bed.ec2Mock.calls()).toHaveLength(0);
  expect(rbinMock.calls()).toHaveLength(0);
});

test('reports every sweep metric, Recycle Bin rules included, in one document', async () => {
  // Prepare
  bed.world.seed(managedSnapshot(1, 'vol-0a1b2c3d4e5f60001', 8 * DAY_MS, -HOUR_MS));
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const publish = jest.spyOn(metrics, 'publishStoredMetrics');

  // Act
  const result = await handler(ownEvent());

  // Assess
  expect(result).toMatchObject({ expiredDeleted: 1, recycleBinRules: ['region-rule'] });
  expect(Object.fromEntries(addMetric.mock.calls.map(([n, , v]) => [n, v]))).toMatchObject({
    [SWEEP_METRICS.expiredDeleted]: 1,
    [SWEEP_METRICS.recycleBinRules]: 1,
    [SWEEP_METRICS.missingBackup]: 0,
  });
  expect(addMetric).toHaveBeenCalledTimes(Object.keys(SWEEP_METRICS).length);
  expect(publish).toHaveBeenCalledTimes(1);
});

test('a delete that fails for another reason fails the invocation after reporting', async () => {
  // Prepare
  const snapshot = managedSnapshot(2, 'vol-0a1b2c3d4e5f60001', 8 * DAY_MS, -HOUR_MS);
  bed.world.seed(snapshot);
  bed.world.deleteFailures.set(
    snapshot.SnapshotId,
    Object.assign(new Error('denied'), {
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    }),
  );

  // Act
  const run = handler(ownEvent());

  // Assess
  await expect(run).rejects.toMatchObject({ name: 'SweepFailedError' });
});
