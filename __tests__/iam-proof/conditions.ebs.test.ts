import { managedBy, WORLD } from '../support/deployment';
import { decide } from './engine';
import { subject } from './conditions-support';

// The conditions must bite: requests the handlers never make are denied.
const snapshot = `arn:aws:ec2:${WORLD.region}::snapshot/snap-0123456789abcdef0`;
const MANAGED = managedBy('ebs-snapshot-lifecycle');

describe('EBS snapshot policies', () => {
  test('delete is denied on a snapshot without the managed-by tag', async () => {
    await expect(
      decide(subject('ebs-snapshot-delete').policy, {
        action: 'ec2:DeleteSnapshot',
        resource: snapshot,
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('delete is denied on a snapshot managed by another deployment', async () => {
    const request = {
      action: 'ec2:DeleteSnapshot',
      resource: snapshot,
      context: { 'aws:ResourceTag/managed-by': 'someone-else' },
    };
    await expect(decide(subject('ebs-snapshot-delete').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('delete is allowed on a managed snapshot', async () => {
    const request = {
      action: 'ec2:DeleteSnapshot',
      resource: snapshot,
      context: { 'aws:ResourceTag/managed-by': MANAGED },
    };
    await expect(decide(subject('ebs-snapshot-delete').policy, request)).resolves.toBe('Allowed');
  });

  test('create is denied without the managed-by request tag', async () => {
    const request = {
      action: 'ec2:CreateSnapshot',
      resource: `arn:aws:ec2:${WORLD.region}::snapshot/*`,
      context: {},
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('create is denied on a volume without the snapshot tag key', async () => {
    const request = {
      action: 'ec2:CreateSnapshot',
      resource: `arn:aws:ec2:${WORLD.region}:${WORLD.account}:volume/vol-0123456789abcdef0`,
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('tagging is denied outside snapshot creation', async () => {
    const request = {
      action: 'ec2:CreateTags',
      resource: snapshot,
      context: { 'ec2:CreateAction': 'CreateVolume' },
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  const instance = `arn:aws:ec2:${WORLD.region}:${WORLD.account}:instance/i-0123456789abcdef0`;

  test('a crash-consistent set is denied on an instance without the instance tag key', async () => {
    const request = { action: 'ec2:CreateSnapshots', resource: instance, context: {} };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('a crash-consistent set is allowed on an instance carrying the instance tag key', async () => {
    const request = {
      action: 'ec2:CreateSnapshots',
      resource: instance,
      context: { 'aws:ResourceTag/SnapshotInstance': '7' },
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe('Allowed');
  });

  test('a crash-consistent set is denied without the managed-by request tag', async () => {
    const request = {
      action: 'ec2:CreateSnapshots',
      resource: `arn:aws:ec2:${WORLD.region}::snapshot/snap-0123456789abcdef0`,
      context: { 'aws:RequestTag/managed-by': 'someone-else' },
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  // A copy's source under a customer managed key of the home Region: EBS uses the key through EC2 there.
  const homeKey = `arn:aws:kms:${WORLD.region}:${WORLD.account}:key/9f8e7d6c-0000-0000-0000-000000000000`;
  const viaEc2 = (region: string) => ({ 'kms:ViaService': `ec2.${region}.amazonaws.com` });

  test('a key of the home Region is usable through EC2 of the home Region', async () => {
    const request = {
      action: 'kms:ReEncryptFrom',
      resource: homeKey,
      context: viaEc2(WORLD.region),
    };
    await expect(decide(subject('ebs-snapshot-copy').policy, request)).resolves.toBe('Allowed');
  });

  test('a key of the home Region is denied through EC2 of a copy Region, and when called directly', async () => {
    const policy = subject('ebs-snapshot-copy').policy;
    const through = { action: 'kms:Decrypt', resource: homeKey, context: viaEc2('eu-west-1') };
    const direct = { action: 'kms:Decrypt', resource: homeKey, context: {} };
    await expect(decide(policy, through)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(policy, direct)).resolves.toBe('ImplicitlyDenied');
  });

  test("a key of a Region that is neither home nor a copy Region is denied through that Region's EC2", async () => {
    const request = {
      action: 'kms:Decrypt',
      resource: homeKey.replace(WORLD.region, 'eu-west-3'),
      context: viaEc2('eu-west-3'),
    };
    await expect(decide(subject('ebs-snapshot-copy').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });
});
