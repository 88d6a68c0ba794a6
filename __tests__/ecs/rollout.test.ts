/**
 * AMI rollout and clean replacement: max instance lifetime on a group, the instance refresh schedule, and
 * create-before-destroy on the capacity provider's chain.
 */
import { TerraformVariable } from 'cdktf';
import { EcsAutoScalingGroup } from '../../stacks/ecs/auto-scaling-group';
import { EcsAsgCapacityProvider } from '../../stacks/ecs/capacity-provider';
import { EcsInstanceRole } from '../../stacks/ecs/instance-role';
import { InstanceRefreshSchedule } from '../../stacks/ecs/instance-refresh-schedule';
import { EcsLaunchTemplate } from '../../stacks/ecs/launch-template';
import type { OpsStack } from '../../stacks/platform/ops-stack';
import { only, resources, synthJson, testStack } from '../support/synth';

const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];

function launchTemplate(stack: OpsStack, name: string) {
  const role = new EcsInstanceRole(stack, `${name}-role`, {
    name: `${name}-instances`,
    clusterName: 'demo',
    logGroupNames: ['/ecs/demo'],
    iamSubjectName: `${name}-instance-role`,
  });
  return new EcsLaunchTemplate(stack, `${name}-lt`, {
    name,
    clusterName: 'demo',
    instanceRole: role,
    securityGroupIds: ['sg-0123456789abcdef0'],
    containerStopTimeoutSeconds: 30,
  });
}

function group(stack: OpsStack, name = 'web', extra: { maxInstanceLifetimeSeconds?: number } = {}) {
  return new EcsAutoScalingGroup(stack, `${name}-asg`, {
    name,
    launchTemplate: launchTemplate(stack, name),
    subnetIds: SUBNETS,
    minSize: 1,
    maxSize: 4,
    ...extra,
  });
}

describe('max instance lifetime', () => {
  test('is off (0) by default', () => {
    const { stack } = testStack();
    group(stack);
    expect(only(synthJson(stack), 'aws_autoscaling_group').max_instance_lifetime).toBe(0);
  });

  test('takes a number of seconds', () => {
    const { stack } = testStack();
    group(stack, 'web', { maxInstanceLifetimeSeconds: 7 * 86_400 });
    expect(only(synthJson(stack), 'aws_autoscaling_group').max_instance_lifetime).toBe(604_800);
  });

  test.each([3600, 40_000_000])(
    'rejects %d s (AWS takes 0 or 1 to 365 days), with the value',
    (s) => {
      const { stack } = testStack();
      expect(() => group(stack, 'web', { maxInstanceLifetimeSeconds: s })).toThrow(
        `maxInstanceLifetimeSeconds (0 = off) must be a whole number from 86400 to 31536000, got ${s}`,
      );
    },
  );
});

describe('InstanceRefreshSchedule', () => {
  function schedule() {
    const { stack } = testStack();
    const expression = new TerraformVariable(stack, 'refresh', { type: 'string' }).stringValue;
    new InstanceRefreshSchedule(stack, 'rollout', {
      name: 'web',
      groups: [
        { key: 'a', group: group(stack, 'a') },
        { key: 'b', group: group(stack, 'b') },
      ],
      scheduleExpression: expression,
    });
    return synthJson(stack);
  }

  test('one schedule per group, off when the expression is ""', () => {
    const schedules = Object.values(resources(schedule(), 'aws_scheduler_schedule'));
    expect(schedules.map((s) => [s.name, s.count, s.schedule_expression])).toEqual([
      ['${var.name_prefix}-web-refresh-a', '${var.refresh != "" ? 1 : 0}', '${var.refresh}'],
      ['${var.name_prefix}-web-refresh-b', '${var.refresh != "" ? 1 : 0}', '${var.refresh}'],
    ]);
  });

  test('starts a rolling refresh that replaces protected instances too, through the universal target', () => {
    const [first] = Object.values(resources(schedule(), 'aws_scheduler_schedule'));
    const target = first?.target as { arn: string; input: string };
    expect(target.arn).toBe(
      'arn:${data.aws_partition.partition.partition}:scheduler:::aws-sdk:autoscaling:startInstanceRefresh',
    );
    expect(JSON.parse(target.input)).toMatchObject({
      AutoScalingGroupName: '${var.name_prefix}-a',
      Strategy: 'Rolling',
      Preferences: { ScaleInProtectedInstances: 'Refresh', SkipMatching: false },
    });
  });

  test("the role may start refreshes of the stack's groups only", () => {
    const policy = Object.entries(resources(schedule(), 'aws_iam_role_policy')).find(([id]) =>
      id.startsWith('rollout'),
    )?.[1];
    expect(JSON.parse(String(policy?.policy)).Statement).toEqual([
      expect.objectContaining({
        Action: 'autoscaling:StartInstanceRefresh',
        Resource: [
          expect.stringContaining(':autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-a'),
          expect.stringContaining(':autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-b'),
        ],
      }),
    ]);
  });
});

describe('replacing a capacity provider', () => {
  test('the provider and, when asked, its group are created before the old ones are destroyed', () => {
    const { stack } = testStack();
    const asg = new EcsAutoScalingGroup(stack, 'asg', {
      name: 'web',
      launchTemplate: launchTemplate(stack, 'web'),
      subnetIds: SUBNETS,
      minSize: 0,
      maxSize: 4,
      ecsManaged: true,
      protectFromScaleIn: true,
      createBeforeDestroy: true,
    });
    new EcsAsgCapacityProvider(stack, 'cp', { name: 'web', autoScalingGroup: asg });
    const json = synthJson(stack);
    const provider = only(json, 'aws_ecs_capacity_provider');
    const managed = Object.entries(resources(json, 'aws_autoscaling_group')).find(([id]) =>
      id.startsWith('asg'),
    )?.[1];
    expect([provider.lifecycle, managed?.lifecycle]).toEqual([
      expect.objectContaining({ create_before_destroy: true }),
      expect.objectContaining({ create_before_destroy: true }),
    ]);
  });
});
