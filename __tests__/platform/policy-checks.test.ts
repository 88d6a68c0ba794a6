import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { NodeFunction } from '../../stacks/platform/node-function';
import { synthJson, testStack } from '../support/synth';

function fnWith(statement: object) {
  const { stack } = testStack();
  new NodeFunction(stack, 'fn', {
    asset: 'demo',
    name: 'demo',
    description: 'd',
    statements: [statement as never],
  });
  return stack;
}

describe('policy checks fail the synth', () => {
  test('on "*" in an action', () => {
    const stack = fnWith({ actions: ['ec2:Describe*'], resources: ['*'], wildcardReason: 'r' });
    expect(() => synthJson(stack)).toThrow(/"\*" in its actions: ec2:Describe\*/);
  });

  test('on Resource "*" for an action that supports resource-level permissions, without a reason', () => {
    const stack = fnWith({ actions: ['dynamodb:PutItem'], resources: ['*'] });
    expect(() => synthJson(stack)).toThrow(/Resource "\*" .* no reason stated: dynamodb:PutItem/);
  });

  test('on a raw IAM policy written without our helpers', () => {
    const { stack } = testStack();
    const role = new IamRole(stack, 'r', { assumeRolePolicy: '{}' });
    new IamRolePolicy(stack, 'p', {
      role: role.name,
      policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    });
    expect(() => synthJson(stack)).toThrow(/"\*" in its actions: s3:\*/);
  });

  test('on a log group without retention', () => {
    const { stack } = testStack();
    new CloudwatchLogGroup(stack, 'lg', { name: 'x' });
    expect(() => synthJson(stack)).toThrow(/log group .*lg has no retention/);
  });

  test.each([
    [
      'DynamoDB table',
      (s: never) =>
        new DynamodbTable(s, 'store', {
          name: 't',
          hashKey: 'k',
          attribute: [{ name: 'k', type: 'S' }],
        }),
    ],
    ['SQS queue', (s: never) => new SqsQueue(s, 'store', { name: 'q' })],
    ['SNS topic', (s: never) => new SnsTopic(s, 'store', { name: 't' })],
  ])('on an unencrypted %s', (_kind, make) => {
    const { stack } = testStack();
    make(stack as never);
    expect(() => synthJson(stack)).toThrow(/data store .*store is not encrypted/);
  });
});

describe('policy checks let pass', () => {
  test('Resource "*" with a stated reason', () => {
    const stack = fnWith({
      actions: ['dynamodb:PutItem'],
      resources: ['*'],
      wildcardReason: 'because',
    });
    expect(() => synthJson(stack)).not.toThrow();
  });

  test('Resource "*" on an action with no resource-level permissions', () => {
    const stack = fnWith({ actions: ['ec2:DescribeVolumes'], resources: ['*'] });
    expect(() => synthJson(stack)).not.toThrow();
  });
});
