import { WORLD } from '../fixtures/deployment';
import type { RecordedCall } from '../support/iam-recorder';
import type { IamRequest } from './engine';

type Input = Record<string, unknown>;
type Translator = (input: Input, call: RecordedCall) => IamRequest[];

const ec2 = (resource: string, account: string = WORLD.account) =>
  `arn:${WORLD.partition}:ec2:${WORLD.region}:${account}:${resource}`;
const regional = (service: string, resource: string) =>
  `arn:${WORLD.partition}:${service}:${WORLD.region}:${WORLD.account}:${resource}`;

function str(input: Input, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '')
    throw new Error(`recorded input has no ${key}: ${JSON.stringify(input)}`);
  return v;
}

/** aws:ResourceTag/<key> context for the tags the test's world gives the resource. */
export function resourceTagContext(
  tags: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
  );
}

/** aws:RequestTag/<key> and aws:TagKeys context for the tags a call puts on what it creates. */
export function requestTagContext(
  tagSpecifications: unknown,
  resourceType: string,
): Record<string, string | string[]> {
  const specs = (tagSpecifications ?? []) as Array<{
    ResourceType?: string;
    Tags?: Array<{ Key?: string; Value?: string }>;
  }>;
  const tags = specs.filter((s) => s.ResourceType === resourceType).flatMap((s) => s.Tags ?? []);
  return {
    ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value ?? ''])),
    ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key ?? '') } : {}),
  };
}

/** IAM requests an SDK call makes, by "<Client>.<Command>"; a call with no entry fails the proof. */
export const TRANSLATORS: Record<string, Translator> = {
  'EC2Client.DescribeVolumes': () => [{ action: 'ec2:DescribeVolumes', resource: '*' }],
  'EC2Client.DescribeSnapshots': () => [{ action: 'ec2:DescribeSnapshots', resource: '*' }],
  'EC2Client.CreateSnapshot': (input, call) => {
    const requestTags = requestTagContext(input.TagSpecifications, 'snapshot');
    return [
      {
        action: 'ec2:CreateSnapshot',
        resource: ec2(`volume/${str(input, 'VolumeId')}`),
        context: resourceTagContext(call.resourceTags),
      },
      { action: 'ec2:CreateSnapshot', resource: ec2('snapshot/*', ''), context: requestTags },
      ...(Object.keys(requestTags).length > 0
        ? [
            {
              action: 'ec2:CreateTags',
              resource: ec2('snapshot/*', ''),
              context: { ...requestTags, 'ec2:CreateAction': 'CreateSnapshot' },
            },
          ]
        : []),
    ];
  },
  'EC2Client.DeleteSnapshot': (input, call) => [
    {
      action: 'ec2:DeleteSnapshot',
      resource: ec2(`snapshot/${str(input, 'SnapshotId')}`, ''),
      context: resourceTagContext(call.resourceTags),
    },
  ],
  'DynamoDBClient.PutItem': (input) => [
    {
      action: 'dynamodb:PutItem',
      resource: regional('dynamodb', `table/${str(input, 'TableName')}`),
    },
  ],
};

export function translate(call: RecordedCall): IamRequest[] {
  const key = `${call.client}.${call.command}`;
  const translator = TRANSLATORS[key];
  if (!translator)
    throw new Error(`no IAM translation for ${key}: add one to __tests__/iam-proof/translate.ts`);
  return translator(call.input as Input, call);
}
