import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { type PolicyStatement } from '../platform/iam';
import { OpsStack } from '../platform/ops-stack';
import { ServiceRole } from '../platform/service-role';

export interface EcsInstanceRoleProps {
  /** Name suffix of the role and instance profile (`<name_prefix>-<name>`). */
  readonly name: string;
  /** Name of the cluster the instances join: the agent may register with and report to it only. */
  readonly clusterName: string;
  /** Log groups the awslogs driver writes to; on EC2 the Docker daemon writes with the instance role. */
  readonly logGroupNames: readonly string[];
  /**
   * ECR repositories the agent pulls task images from (ARNs or ARN patterns).
   * @default every repository of the deployment's account and region
   */
  readonly ecrRepositoryArns?: readonly string[];
  /**
   * Repository prefix of the stack's ECR pull through cache: the agent's first pull of an image creates
   * its repository and imports it (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
   * @default none
   */
  readonly pullThroughCachePrefix?: string;
  /**
   * Name under which the IAM proof judges the agent's recorded calls against this role's policy.
   * @default `<stack name>-instance-role`
   */
  readonly iamSubjectName?: string;
}

/**
 * What the ECS container agent on an instance calls, and nothing else: AmazonEC2ContainerServiceforEC2Role
 * narrowed to one cluster, minus what this setup never uses (see `ecsInstanceStatements`).
 */
export function ecsInstanceStatements(
  stack: OpsStack,
  props: Pick<
    EcsInstanceRoleProps,
    'clusterName' | 'logGroupNames' | 'ecrRepositoryArns' | 'pullThroughCachePrefix'
  >,
): PolicyStatement[] {
  const clusterArn = stack.arn('ecs', `cluster/${props.clusterName}`);
  return [
    {
      sid: 'JoinAndReportToCluster',
      actions: [
        'ecs:RegisterContainerInstance',
        'ecs:SubmitContainerStateChange',
        'ecs:SubmitTaskStateChange',
      ],
      resources: [clusterArn],
    },
    {
      // UpdateContainerInstancesState: the agent sets its own instance DRAINING on a Spot
      // interruption notice (ECS_ENABLE_SPOT_INSTANCE_DRAINING). The service authorization reference lists
      // ecs:cluster as a condition key of Poll, StartTelemetrySession and UpdateContainerInstancesState (all
      // on container-instance*), so the condition stays:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
      sid: 'OwnContainerInstanceSessions',
      actions: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState'],
      resources: [stack.arn('ecs', `container-instance/${props.clusterName}/*`)],
      conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
    },
    {
      sid: 'FindPollEndpoint',
      actions: ['ecs:DiscoverPollEndpoint'],
      resources: ['*'],
      wildcardReason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions.',
    },
    {
      sid: 'PullTaskImages',
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ],
      resources: [...(props.ecrRepositoryArns ?? [stack.arn('ecr', 'repository/*')])],
    },
    ...(props.pullThroughCachePrefix
      ? [
          {
            sid: 'PullThroughCache',
            actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
            resources: [stack.arn('ecr', `repository/${props.pullThroughCachePrefix}/*`)],
          },
        ]
      : []),
    {
      sid: 'LogInToEcr',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
      wildcardReason: 'ecr:GetAuthorizationToken supports no resource-level permissions.',
    },
    {
      sid: 'WriteTaskLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: props.logGroupNames.map((g) => stack.arn('logs', `log-group:${g}:*`)),
    },
  ];
}

/**
 * The container instances' role and instance profile. Left out of AmazonEC2ContainerServiceforEC2Role:
 * ecs:CreateCluster (ECS_CLUSTER is always set, so the agent never creates "default"),
 * ecs:DeregisterContainerInstance (instances leave by terminating), ecs:SubmitAttachmentStateChanges
 * (awsvpc ENIs only; tasks use bridge mode), ecs:TagResource and ecs:ListTagsForResource (no tag
 * propagation to container instances, no task metadata tags), ec2:DescribeTags (no
 * ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM), and every `*` action. Registered under the IAM proof.
 */
export class EcsInstanceRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  readonly instanceProfile: IamInstanceProfile;
  readonly statements: readonly PolicyStatement[];

  constructor(scope: Construct, id: string, props: EcsInstanceRoleProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    if (props.logGroupNames.length === 0)
      throw new Error('EcsInstanceRole needs at least one log group (logGroupNames is empty)');
    if (props.ecrRepositoryArns?.length === 0)
      throw new Error(
        'EcsInstanceRole ecrRepositoryArns must not be empty; omit it for the default',
      );
    const name = stack.name(props.name);

    this.statements = ecsInstanceStatements(stack, props);
    const role = new ServiceRole(this, {
      name,
      description: 'ECS container instances: the container agent of one cluster',
      service: 'ec2.amazonaws.com',
      policyName: 'ecs-agent',
      statements: this.statements,
      iamSubject: props.iamSubjectName ?? `${stack.stackName}-instance-role`,
    });
    this.role = role.role;
    this.policy = role.policy;
    this.instanceProfile = new IamInstanceProfile(this, 'profile', {
      name,
      role: this.role.name,
    });
  }
}
