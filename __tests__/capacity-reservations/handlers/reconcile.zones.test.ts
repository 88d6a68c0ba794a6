import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { completed, reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb('reconcile: a row’s zone, by name or id, in this Region only', () => {
  const h = reconcileHarness();
  beforeEach(() => ensureSchema(h.db));

  it('records a zone of another Region in Last_Error, creates nothing there, and still serves the other rows', async () => {
    // Prepare (the deployment's EC2 client is in us-east-1)
    await insertSeedRow(h.db, 'm5.large', 'eu-west-1a', 4);
    await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(pools.find((p) => p.availabilityZone === 'eu-west-1a')?.status).toBe('invalid');
    expect((await readRow(h.db, 'm5.large', 'eu-west-1a'))?.Last_Error).toBe(
      'invalid row: AvailabilityZone "eu-west-1a" is in Region eu-west-1, but this deployment runs in us-east-1',
    );
    expect(h.createInputs().map((i) => i.AvailabilityZone)).toEqual(['us-east-1a']);
    expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(2);
  });

  it('accepts a zone id and reserves in the zone that has that id in this account', async () => {
    // Prepare: in the fake account, use1-az2 is us-east-1a (zone names map to zones per account)
    await insertSeedRow(h.db, 'm5.large', 'use1-az2', 3);

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 3 })]);
    expect(h.world.liveInstances('m5.large', 'us-east-1a')).toBe(3);
    expect(h.createInputs()[0]?.TagSpecifications?.[0]?.Tags).toContainEqual({
      Key: 'ops-autopilot:pool',
      Value: 'm5.large/use1-az2',
    });
    expect(h.ec2Mock.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(1);
  });

  it.each([
    ['us-east-1z', 'is not a zone name or zone id of us-east-1 (zones: us-east-1a (use1-az2),'],
    ['usw2-az1', 'is not a zone name or zone id of us-east-1'],
    ['us-east-1-bos-1a', 'is a zone this account has not opted in to'],
  ])('records the unusable zone %s in Last_Error and creates nothing', async (zone, error) => {
    // Prepare
    await insertSeedRow(h.db, 'm5.large', zone, 2);

    // Act
    const pools = completed(await h.run());

    // Assess
    expect(pools).toEqual([expect.objectContaining({ status: 'invalid' })]);
    expect((await readRow(h.db, 'm5.large', zone))?.Last_Error).toContain(error);
    expect(h.createInputs()).toEqual([]);
  });
});
