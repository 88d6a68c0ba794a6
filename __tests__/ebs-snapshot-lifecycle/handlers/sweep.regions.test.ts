import {
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type DeleteSnapshotCommandInput,
  type DescribeSnapshotsCommandInput,
} from '@aws-sdk/client-ec2';
import { sweep } from '../../../functions/ebs-snapshot/sweep';
import { WORLD } from '../../support/deployment';
import { COPY_REGION, CopyWorld, OTHER_COPY_REGION } from '../fixtures/copy-world';
import { DAY_MS, managedSnapshot, SWEEP_CONFIG, SweepBed } from '../fixtures/sweep-bed';

const bed = new SweepBed();
let copies: CopyWorld;
const CONFIG = { ...SWEEP_CONFIG, copyRegions: [COPY_REGION, OTHER_COPY_REGION] };
const regionOf = async (getClient: () => unknown) => (getClient() as EC2Client).config.region();

beforeEach(() => {
  copies = new CopyWorld();
  // Each call is answered by the Region of the client that sent it: the home world or a copy Region.
  bed.ec2Mock
    .on(DescribeSnapshotsCommand)
    .callsFake(async (input: DescribeSnapshotsCommandInput, getClient) => {
      const region = await regionOf(getClient);
      return region === WORLD.region
        ? bed.world.describeSnapshots(input)
        : copies.describe(region, input);
    });
  bed.ec2Mock
    .on(DeleteSnapshotCommand)
    .callsFake(async (input: DeleteSnapshotCommandInput, getClient) => {
      const region = await regionOf(getClient);
      if (region === WORLD.region) return bed.world.deleteSnapshot(input);
      const list = copies.in(region);
      list.splice(
        list.findIndex((s) => s.SnapshotId === input.SnapshotId),
        1,
      );
      return {};
    });
});

const deps = () => ({ ...bed.deps, ec2For: (region: string) => new EC2Client({ region }) });

describe('sweep: cross-Region copies', () => {
  test('expired copies are deleted in their own Regions; live ones and other Regions are kept', async () => {
    // Prepare
    copies.in(COPY_REGION).push(managedSnapshot(1, 'vol-1', 20 * DAY_MS, -DAY_MS));
    copies.in(COPY_REGION).push(managedSnapshot(2, 'vol-1', DAY_MS, 6 * DAY_MS));
    copies.in(OTHER_COPY_REGION).push(managedSnapshot(3, 'vol-1', 20 * DAY_MS, -1000));

    // Act
    const result = await sweep(deps(), CONFIG);

    // Assess
    expect(copies.in(COPY_REGION).map((s) => s.SnapshotId)).toEqual([
      managedSnapshot(2, 'vol-1', 0, 0).SnapshotId,
    ]);
    expect(copies.in(OTHER_COPY_REGION)).toHaveLength(0);
    expect(result.expiredDeleted).toBe(2);
  });

  test('without copy Regions no other Region is listed', async () => {
    // Prepare
    copies.in(COPY_REGION).push(managedSnapshot(1, 'vol-1', 20 * DAY_MS, -DAY_MS));

    // Act
    await sweep(deps(), SWEEP_CONFIG);

    // Assess
    expect(copies.in(COPY_REGION)).toHaveLength(1);
  });
});
