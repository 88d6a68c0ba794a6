import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';
import { ServiceRole } from '../platform/service-role';
import type { EcsAutoScalingGroup } from './auto-scaling-group';

export interface InstanceRefreshScheduleProps {
  /** Name suffix of the role and the schedules (`<name_prefix>-<name>-<group>`). */
  readonly name: string;
  readonly groups: ReadonlyArray<{ readonly key: string; readonly group: EcsAutoScalingGroup }>;
  /** EventBridge Scheduler expression, e.g. `rate(14 days)`; "" creates no schedule. A variable works. */
  readonly scheduleExpression: string;
}

/**
 * A new ECS-optimized AMI behind `resolve:ssm:` changes no launch template, so nothing replaces running
 * instances, and max instance lifetime skips instances protected from scale in (ECS managed termination
 * protection protects every instance that runs tasks):
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-max-instance-lifetime.html. A schedule
 * therefore starts an instance refresh of each group with EventBridge Scheduler's universal target
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html), replacing
 * protected instances too; ECS managed instance draining moves their tasks first, and the new instances
 * resolve the AMI parameter again at launch.
 */
export class InstanceRefreshSchedule extends Construct {
  readonly schedules: SchedulerSchedule[];

  constructor(scope: Construct, id: string, props: InstanceRefreshScheduleProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const enabled = `${Token.asString(props.scheduleExpression)} != ""`;
    const count = Token.asNumber(`\${${enabled} ? 1 : 0}`);
    const roleName = stack.name(`${props.name}-refresh`);
    const role = new ServiceRole(this, {
      count,
      name: roleName,
      description: 'EventBridge Scheduler: starts instance refreshes of the ECS groups',
      service: 'scheduler.amazonaws.com',
      trustPolicy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': stack.accountId } },
          },
        ],
      }),
      policyName: 'start-instance-refresh',
      statements: [
        {
          sid: 'RefreshOwnGroups',
          actions: ['autoscaling:StartInstanceRefresh'],
          resources: props.groups.map((g) => g.group.arnPattern),
        },
      ],
    });
    this.schedules = props.groups.map(
      ({ key, group }) =>
        new SchedulerSchedule(this, `refresh-${key}`, {
          count,
          name: `${roleName}-${key}`,
          description: `Replaces the instances of ${group.groupName}, so they run the current AMI`,
          scheduleExpression: props.scheduleExpression,
          flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 60 },
          target: {
            arn: `arn:${stack.partition}:scheduler:::aws-sdk:autoscaling:startInstanceRefresh`,
            roleArn: Token.asString(`\${one(${role.role.fqn}[*].arn)}`),
            input: JSON.stringify({
              AutoScalingGroupName: group.groupName,
              Strategy: 'Rolling',
              Preferences: {
                MinHealthyPercentage: 90,
                MaxHealthyPercentage: 120,
                InstanceWarmup: 120,
                ScaleInProtectedInstances: 'Refresh',
                StandbyInstances: 'Terminate',
                SkipMatching: false,
              },
            }),
            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          },
        }),
    );
  }
}
