/**
 * IAM requests of the EC2 calls that create snapshots (CreateSnapshot, CreateSnapshots) and the instance listing
 * of the snapshot sets; spread into TRANSLATORS. Helpers from translate.ts are used only when a call is translated.
 */
import type { IamRequest } from './engine';
import {
  ec2,
  NEW_RESOURCE_IDS,
  requestTagContext,
  resourceTagContext,
  str,
  type Input,
  type Translator,
} from './translate';

/** A call that creates snapshots: authorized on its sources, on each new snapshot, and tags only at creation. */
function createsSnapshots(command: string, input: Input, sources: IamRequest[]): IamRequest[] {
  const requestTags = requestTagContext(input.TagSpecifications, 'snapshot');
  const snapshot = ec2(`snapshot/${NEW_RESOURCE_IDS.snapshot}`, '');
  const tagging =
    Object.keys(requestTags).length > 0
      ? [
          {
            action: 'ec2:CreateTags',
            resource: snapshot,
            context: { ...requestTags, 'ec2:CreateAction': command },
          },
        ]
      : [];
  return [
    ...sources,
    { action: `ec2:${command}`, resource: snapshot, context: requestTags },
    ...tagging,
  ];
}

export const SNAPSHOT_TRANSLATORS: Record<string, Translator> = {
  'EC2Client.CreateSnapshot': (input, call) =>
    createsSnapshots('CreateSnapshot', input, [
      {
        action: 'ec2:CreateSnapshot',
        resource: ec2(`volume/${str(input, 'VolumeId')}`),
        context: resourceTagContext(call.resourceTags),
      },
    ]),
  'EC2Client.DescribeInstances': () => [{ action: 'ec2:DescribeInstances', resource: '*' }],
  // A crash-consistent set: on the instance (its tags from the test's world) and on each volume it chooses
  // (ids not in the request: one stands for all).
  'EC2Client.CreateSnapshots': (input, call) =>
    createsSnapshots('CreateSnapshots', input, [
      {
        action: 'ec2:CreateSnapshots',
        resource: ec2(
          `instance/${str((input.InstanceSpecification ?? {}) as Input, 'InstanceId')}`,
        ),
        context: resourceTagContext(call.resourceTags),
      },
      { action: 'ec2:CreateSnapshots', resource: ec2(`volume/${NEW_RESOURCE_IDS.setVolume}`) },
    ]),
};
