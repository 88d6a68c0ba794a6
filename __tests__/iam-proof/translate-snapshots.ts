/**
 * IAM requests of the EC2 calls that create snapshots (CreateSnapshot, CreateSnapshots) and the instance listing
 * of the snapshot sets; spread into TRANSLATORS. Helpers from translate.ts are used only when a call is translated.
 */
import { WORLD } from '../support/deployment';
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
function createsSnapshots(
  command: string,
  input: Input,
  sources: IamRequest[],
  region?: string,
): IamRequest[] {
  const requestTags = requestTagContext(input.TagSpecifications, 'snapshot');
  const snapshot = ec2(`snapshot/${NEW_RESOURCE_IDS.snapshot}`, '', region);
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

/**
 * What EBS asks of the caller's KMS permissions on a customer managed key it encrypts or decrypts with, through
 * EC2 in the key's Region: the copy's key (copy Region), and the source's key (home Region), for which the
 * EBS pages name no narrower set: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
function usesKeyThroughEc2(keyArn: unknown, region: string): IamRequest[] {
  if (typeof keyArn !== 'string') return [];
  const via = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
  return [
    {
      action: 'kms:CreateGrant',
      resource: keyArn,
      context: { ...via, 'kms:GrantIsForAWSResource': 'true' },
    },
    ...[
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ].map((action) => ({ action, resource: keyArn, context: via })),
  ];
}

export const SNAPSHOT_TRANSLATORS: Record<string, Translator> = {
  // Sent to the destination Region; authorized on the source snapshot (its Region) and on the copy, both with
  // the request's tags: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-CopySnapshot
  'EC2Client.CopySnapshot': (input, call) => {
    const region = call.region ?? WORLD.region;
    const requestTags = requestTagContext(input.TagSpecifications, 'snapshot');
    return [
      ...createsSnapshots(
        'CopySnapshot',
        input,
        [
          {
            action: 'ec2:CopySnapshot',
            resource: ec2(
              `snapshot/${str(input, 'SourceSnapshotId')}`,
              '',
              str(input, 'SourceRegion'),
            ),
            context: requestTags,
          },
        ],
        region,
      ),
      ...usesKeyThroughEc2(input.KmsKeyId, region),
      ...usesKeyThroughEc2(call.resourceKmsKeyId, str(input, 'SourceRegion')),
    ];
  },
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
