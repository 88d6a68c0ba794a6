import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { CREATE_METRIC_SPECS, CREATE_METRICS } from '../../../functions/ebs-snapshot/metric-names';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  CREATE_ENV,
  createResourceTags,
  Ec2World,
  FakeTable,
  RUN_KEY,
  VOLUME_PAGES,
} from '../fixtures/world';

const firstPage = () => ({
  runKey: RUN_KEY,
  pass: 1,
  totals: { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 },
});

/** The create function's EMF output as CloudWatch reads it from the log (the dashboard graphs these). */

const SERVICE = 'ebs-snapshot-create';
const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
recordIamCalls(SERVICE, [ec2Mock, ddbMock], createResourceTags);

type Handler = typeof import('../../../functions/ebs-snapshot/create.handler').handler;
const savedEnv = { ...process.env };
let handler: Handler;
let world: Ec2World;

beforeAll(async () => {
  Object.assign(process.env, CREATE_ENV);
  enableEmf({ service: SERVICE });
  ({ handler } = await import('../../../functions/ebs-snapshot/create.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  ec2Mock.reset();
  ddbMock.reset();
  new FakeTable().install(ddbMock);
  world = new Ec2World().install(ec2Mock);
});

describe('create EMF metrics', () => {
  test('one document per page: created, skipped, failed, strays and expired by count, namespace OpsAutopilot, dimension service only', async () => {
    // Act
    const { metrics, result } = await captureEmf(() => handler(firstPage()));

    // Assess
    const onPage = VOLUME_PAGES[0]?.Volumes?.length ?? 0;
    expect(result?.totals).toMatchObject({ created: onPage, skipped: 0, failed: 0 });
    expect(world.snapshots).toHaveLength(onPage);
    expect(metrics).toEqual(
      [
        [CREATE_METRICS.created, onPage],
        [CREATE_METRICS.skipped, 0],
        [CREATE_METRICS.failed, 0],
        [CREATE_METRICS.strays, 0],
        [CREATE_METRICS.expiredByCount, 0],
      ].map(([name, value]) => ({
        namespace: 'OpsAutopilot',
        name,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value,
      })),
    );
  });

  test('emits exactly the metrics functions/ebs-snapshot/metric-names.ts declares for create', async () => {
    // Act
    const { metrics } = await captureEmf(() => handler(firstPage()));

    // Assess
    expect(distinctSpecs(metrics.map(specOf))).toEqual(distinctSpecs(CREATE_METRIC_SPECS));
  });

  test('snapshots a count rule expires on the page are counted (SnapshotsExpiredByCount)', async () => {
    // Prepare: the first volume keeps one snapshot (count:1) and has an older managed one
    const page = VOLUME_PAGES[0] as (typeof VOLUME_PAGES)[number];
    const first = page.Volumes?.[0] ?? {};
    const counted = { ...first, Tags: [{ Key: 'Snapshot', Value: 'count:1' }] };
    world = new Ec2World([
      { ...page, Volumes: [counted, ...(page.Volumes ?? []).slice(1)] },
      ...VOLUME_PAGES.slice(1),
    ]).install(ec2Mock);
    world.seed({
      SnapshotId: 'snap-0older0000000001',
      VolumeId: first.VolumeId,
      State: 'completed',
      StartTime: new Date(Date.parse(RUN_KEY) - 86_400_000),
      Tags: [
        { Key: 'managed-by', Value: CREATE_ENV.MANAGED_BY ?? '' },
        { Key: 'ops-autopilot:volume-id', Value: first.VolumeId ?? '' },
      ],
    });

    // Act
    const { metrics } = await captureEmf(() => handler(firstPage()));

    // Assess
    expect(metrics.find((m) => m.name === CREATE_METRICS.expiredByCount)?.value).toBe(1);
  });
});
