import type { PolicyStatement } from '../platform/iam';
import type { OpsStack } from '../platform/ops-stack';

/**
 * What a crash-consistent set (CreateSnapshots) needs: the action is authorized on the instance, on each of
 * its volumes and on each new snapshot, all three required
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-CreateSnapshots).
 * Only instances carrying the instance tag key, and only snapshots carrying this deployment's managed-by tag.
 */
export function setStatements(
  stack: OpsStack,
  instanceTagKey: string,
  snapshotArns: string,
): PolicyStatement[] {
  return [
    {
      sid: 'SnapshotSetsOnlyOfTaggedInstances',
      actions: ['ec2:CreateSnapshots'],
      resources: [stack.arn('ec2', 'instance/*')],
      conditions: { Null: { [`aws:ResourceTag/${instanceTagKey}`]: 'false' } },
    },
    {
      // The tagged instance chooses the volumes; they need not carry a tag themselves.
      sid: 'SnapshotSetVolumes',
      actions: ['ec2:CreateSnapshots'],
      resources: [stack.arn('ec2', 'volume/*')],
    },
    {
      sid: 'CreateOnlyManagedSetSnapshots',
      actions: ['ec2:CreateSnapshots'],
      resources: [snapshotArns],
      conditions: { StringEquals: { 'aws:RequestTag/managed-by': stack.managedBy } },
    },
  ];
}
