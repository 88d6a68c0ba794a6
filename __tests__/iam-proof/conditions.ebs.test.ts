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
});
