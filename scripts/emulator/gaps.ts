/**
 * Every place where moto 5.2 (with AWS provider 5.100.0) is not AWS, how the deploy proof deals with it, and
 * what proves that part instead. The deploy proof reads this module (allowed drift, left-out resources) and a
 * test keeps EMULATOR-GAPS.md equal to its rendering (`node dist/scripts/emulator-gaps.js` rewrites it).
 */
import { E2E_GAPS } from './gaps-e2e';
import { RESOURCE_GROUPS_GAPS } from './gaps-resource-groups';

export type GapReason =
  | 'moto lacks it'
  | "the provider crashes on moto's answer"
  | 'moto reads back something different'
  | 'moto keeps what AWS deletes';

export type Handling =
  /** Answered by a stand-in in front of moto (scripts/emulator/stand-ins/). */
  | { readonly kind: 'stand-in'; readonly service: string; readonly operations: readonly string[] }
  /** moto answers, a fix-up corrects the answer as the AWS API reference documents it. */
  | { readonly kind: 'fix-up'; readonly service: string; readonly operations: readonly string[] }
  /** The re-plan may show these attribute paths of this type changing, from moto's empty value only. */
  | {
      readonly kind: 'allowed-drift';
      readonly resourceType: string;
      readonly paths: readonly string[];
    }
  /** The inventory does not count these objects as left over. */
  | { readonly kind: 'inventory'; readonly detail: string }
  /** Only an end-to-end scenario meets it; the scenario sets the emulator up as AWS would behave. */
  | { readonly kind: 'scenario'; readonly detail: string }
  /** The resource is not applied (an override gives it count = 0). */
  | { readonly kind: 'left-out'; readonly stack: string; readonly address: string };

export interface Gap {
  readonly id: string;
  /** The API operation or resource attribute. */
  readonly what: string;
  readonly reason: GapReason;
  readonly detail: string;
  readonly handling: readonly Handling[];
  /** The tests that prove that part instead (file, and test name where one test does). */
  readonly coveredBy: readonly string[];
}

const standIn = (service: string, ...operations: string[]): Handling => ({
  kind: 'stand-in',
  service,
  operations,
});
const fixUp = (service: string, ...operations: string[]): Handling => ({
  kind: 'fix-up',
  service,
  operations,
});
const drift = (resourceType: string, ...paths: string[]): Handling => ({
  kind: 'allowed-drift',
  resourceType,
  paths,
});

const STACK_GAPS: readonly Gap[] = [
  {
    id: 'lambda-recursion-config',
    what: 'Lambda PutFunctionRecursionConfig / GetFunctionRecursionConfig',
    reason: 'moto lacks it',
    detail:
      'moto answers 404 (HTML); aws_lambda_function_recursion_config (ecs-autoscaling-drain) cannot be created.',
    handling: [standIn('lambda', 'PutFunctionRecursionConfig', 'GetFunctionRecursionConfig')],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/stack.drain-hook.test.ts: function recursion config Allow',
    ],
  },
  {
    id: 'lambda-logging-config',
    what: 'aws_lambda_function.logging_config (Lambda LoggingConfig)',
    reason: 'moto reads back something different',
    detail:
      'moto accepts LoggingConfig and returns none; every function would drift on each re-plan.',
    handling: [
      fixUp(
        'lambda',
        'CreateFunction',
        'UpdateFunctionConfiguration',
        'GetFunction',
        'GetFunctionConfiguration',
        'DeleteFunction',
      ),
    ],
    coveredBy: [
      '__tests__/platform/node-function.test.ts: runs Node.js 22 on arm64 with JSON logs',
    ],
  },
  {
    id: 'sfn-validate-definition',
    what: 'Step Functions ValidateStateMachineDefinition',
    reason: 'moto lacks it',
    detail:
      'aws_sfn_state_machine validates its definition while planning; the provider retries the 404 until it times out.',
    handling: [standIn('states', 'ValidateStateMachineDefinition')],
    coveredBy: [
      '__tests__/redshift-resize/plan.test.ts: the definition the provider sends Step Functions to validate at plan is the planned one, and valid ASL',
      '__tests__/redshift-resize/asl/synthesized-definition.test.ts',
    ],
  },
  {
    id: 'sfn-versions',
    what: 'Step Functions ListStateMachineVersions',
    reason: 'moto lacks it',
    detail:
      'moto answers 500; the provider lists versions after creating and reading a state machine. The stacks publish none.',
    handling: [standIn('states', 'ListStateMachineVersions')],
    coveredBy: [
      '__tests__/redshift-resize/plan.test.ts: the state machine is STANDARD and logs to a log group with retention, without execution data',
    ],
  },
  {
    id: 'ecs-service-network-configuration',
    what: 'ECS Service.networkConfiguration',
    reason: "the provider crashes on moto's answer",
    detail:
      'moto returns networkConfiguration {} for a bridge-mode service; the provider dereferences its missing awsvpcConfiguration and panics.',
    handling: [fixUp('ecs', 'CreateService', 'UpdateService', 'DescribeServices', 'DeleteService')],
    coveredBy: [
      '__tests__/ecs/constructs.test.ts: one bridge-mode container on a dynamic host port, with CPU and soft/hard memory limits',
    ],
  },
  {
    id: 'ecs-service-fields',
    what: 'aws_ecs_service capacity_provider_strategy, ordered_placement_strategy, health_check_grace_period_seconds, enable_ecs_managed_tags, availability_zone_rebalancing',
    reason: 'moto reads back something different',
    detail:
      'moto drops them; the missing capacity provider strategy makes every re-plan replace the ecs-spot-api service.',
    handling: [fixUp('ecs', 'CreateService', 'UpdateService', 'DescribeServices', 'DeleteService')],
    coveredBy: [
      "__tests__/ecs-spot-api/plan.test.ts: capacity provider strategy: one On-Demand task, then 1:4 (the seed's 20-80)",
      '__tests__/ecs/constructs.test.ts: circuit breaker with rollback, deployment percents, grace period, AZ spread then binpack memory',
    ],
  },
  {
    id: 'ecs-service-steady-state',
    what: 'ECS DescribeServices runningCount and deployments[].rolloutState',
    reason: 'moto reads back something different',
    detail:
      "moto never places a task: it describes runningCount 0 and a PRIMARY deployment IN_PROGRESS forever, so the ecs-spot-api service's wait_for_steady_state would wait until the apply times out. The fix-up reports an ACTIVE service as ECS does once its tasks run: runningCount = desiredCount and one PRIMARY deployment, COMPLETED (MOTO_ECS_SERVICE_RUNNING sets one count for every service, not each one's desired count).",
    handling: [fixUp('ecs', 'CreateService', 'UpdateService', 'DescribeServices', 'DeleteService')],
    coveredBy: [
      '__tests__/ecs/rollout.test.ts: the provider and, when asked, its group are created before the old ones are destroyed',
      '__tests__/proof/deploy/fix-ups.test.ts: an ACTIVE service is reported steady: the desired count running, one PRIMARY deployment COMPLETED',
    ],
  },
  {
    id: 'ecr-pull-through-cache',
    what: 'ECR CreatePullThroughCacheRule / DescribePullThroughCacheRules / DeletePullThroughCacheRule',
    reason: 'moto lacks it',
    detail:
      'moto 5.2 has no pull through cache API; aws_ecr_pull_through_cache_rule (ecs-spot-api, the default ECR Public image) cannot be created. Nothing pulls through the rule here: moto runs no task.',
    handling: [
      standIn(
        'ecr',
        'CreatePullThroughCacheRule',
        'DescribePullThroughCacheRules',
        'DeletePullThroughCacheRule',
      ),
      { kind: 'inventory', detail: 'lists the rules through the stand-in' },
    ],
    coveredBy: [
      "__tests__/ecs-spot-api/plan.test.ts: the default public image deploys without NAT: pulled through the stack's ECR cache",
      "__tests__/ecs-spot-api/stack.test.ts: an ECR Public image is pulled through the stack's cache rule; the task definition uses the cached name",
      '__tests__/proof/deploy/stand-ins-ecr.test.ts',
    ],
  },
  {
    id: 'appautoscaling-tags',
    what: 'Application Auto Scaling ListTagsForResource / TagResource / UntagResource (scalable target tags)',
    reason: 'moto lacks it',
    detail:
      'moto answers 500 and drops RegisterScalableTarget Tags; the provider reads the tags after creating a target.',
    handling: [
      standIn('application-autoscaling', 'ListTagsForResource', 'TagResource', 'UntagResource'),
      fixUp('application-autoscaling', 'RegisterScalableTarget', 'DeregisterScalableTarget'),
    ],
    coveredBy: [
      '__tests__/ecs/constructs.test.ts: scales the service desired count between min and max',
    ],
  },
  {
    id: 'rds-cluster-fields',
    what: 'aws_rds_cluster enable_http_endpoint, scaling_configuration',
    reason: 'moto reads back something different',
    detail:
      'moto keeps the Data API only for Serverless v1 engine versions and describes an empty Serverless v1 ScalingConfigurationInfo for every cluster.',
    handling: [
      fixUp('rds', 'CreateDBCluster', 'ModifyDBCluster', 'DescribeDBClusters', 'DeleteDBCluster'),
    ],
    coveredBy: [
      '__tests__/capacity-reservations/plan.test.ts: the database is Aurora MySQL Serverless v2, encrypted, with an RDS-managed password',
    ],
  },
  {
    id: 'rds-automated-snapshots',
    what: 'RDS DeleteDBCluster: automated backups',
    reason: 'moto keeps what AWS deletes',
    detail:
      "AWS deletes a cluster's automated backups with it; moto keeps the automated snapshot it took at creation. The fix-up deletes them after DeleteDBCluster (the DeleteDBCluster fix-up above).",
    handling: [fixUp('rds', 'DeleteDBCluster')],
    coveredBy: [
      'the after-destroy inventory of this proof (the final snapshot, a manual one, stays and is reported)',
    ],
  },
  {
    id: 'ec2-launch-template-tags',
    what: 'aws_launch_template.tag_specifications',
    reason: 'moto reads back something different',
    detail:
      "moto copies the template's own tags (type launch-template) into its data's TagSpecifications; the template and, through its version, every group using it would update on each re-plan.",
    handling: [fixUp('ec2', 'DescribeLaunchTemplateVersions')],
    coveredBy: [
      '__tests__/ecs-spot-api/plan.test.ts: launch template: IMDSv2 required (hop limit 1), encrypted gp3 root, AMI resolved from SSM',
    ],
  },
  {
    id: 'ec2-volume-pages',
    what: 'EC2 DescribeVolumes MaxResults / NextToken',
    reason: 'moto reads back something different',
    detail:
      'moto returns every volume in one answer and ignores MaxResults; the EBS create handler pages through them. Pages of the emulator hold at most 10 volumes (AWS may return fewer than MaxResults).',
    handling: [fixUp('ec2', 'DescribeVolumes')],
    coveredBy: [
      '__tests__/proof/deploy/fix-ups.test.ts: DescribeVolumes pages',
      '__tests__/proof/e2e/ebs-snapshot-lifecycle.scenario.test.ts',
    ],
  },
  {
    id: 'sqs-redrive-json',
    what: 'aws_sqs_queue.redrive_policy',
    reason: 'moto reads back something different',
    detail:
      'moto formats the RedrivePolicy JSON with spaces; the provider compares it as a string.',
    handling: [fixUp('sqs', 'GetQueueAttributes')],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/stack.drain-hook.test.ts: re-check queue: standard, per-message delays, visibility >= 6 x function timeout, DLQ after 5',
    ],
  },
  {
    id: 'asg-lifecycle-hook-fields',
    what: 'aws_autoscaling_lifecycle_hook notification_target_arn, role_arn, notification_metadata',
    reason: 'moto reads back something different',
    detail: 'moto ignores them and describes a fixed SQS queue and IAM role of another account.',
    handling: [
      fixUp('autoscaling', 'PutLifecycleHook', 'DescribeLifecycleHooks', 'DeleteLifecycleHook'),
    ],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/stack.drain-hook.test.ts: lifecycle hook on termination, notifying the topic through its role, CONTINUE by default',
    ],
  },
  {
    id: 'asg-policy-fields',
    what: 'aws_autoscaling_policy enabled, predictive_scaling_configuration',
    reason: 'moto reads back something different',
    detail:
      'moto describes no Enabled (the provider reads false: a disabled policy) and an empty predictive configuration on step policies.',
    handling: [fixUp('autoscaling', 'PutScalingPolicy', 'DescribePolicies')],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/plan.test.ts: cluster step scaling: +1 instance above 75% CPU or memory reservation, -1 below 30% of both',
    ],
  },
  {
    id: 'sg-rule-description',
    what: 'aws_vpc_security_group_ingress_rule / egress_rule .description of a rule referencing a security group',
    reason: 'moto reads back something different',
    detail:
      'moto drops the description of a rule whose source or destination is a security group (it keeps it for CIDR rules).',
    handling: [
      drift('aws_vpc_security_group_ingress_rule', 'description'),
      drift('aws_vpc_security_group_egress_rule', 'description'),
    ],
    coveredBy: [
      'the deploy proof itself: the state holds nothing and the re-plan sets the synthesized description',
      '__tests__/ecs/constructs.test.ts: ALB takes 80/443 from the internet; instances take the dynamic ports from the ALB only',
    ],
  },
  {
    id: 'asg-unstored-fields',
    what: 'aws_autoscaling_group default_instance_warmup, capacity_reservation_specification, max_instance_lifetime',
    reason: 'moto reads back something different',
    detail:
      'moto drops DefaultInstanceWarmup and MaxInstanceLifetime and returns no CapacityReservationSpecification.',
    handling: [
      drift(
        'aws_autoscaling_group',
        'default_instance_warmup',
        'capacity_reservation_specification.capacity_reservation_preference',
        'max_instance_lifetime',
      ),
    ],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/plan.test.ts: AMI rollout: instances older than 14 days are replaced, through the drain hook',
      'the deploy proof itself: the state holds nothing and the re-plan sets the synthesized value',
      '__tests__/ecs/constructs.test.ts: capacity rebalance, force delete, rolling instance refresh, desired capacity left to scaling',
    ],
  },
  {
    id: 'ec2-terminated-instance-eni',
    what: 'EC2 network interface of a terminated instance',
    reason: 'moto keeps what AWS deletes',
    detail:
      "moto keeps a terminated instance's primary interface, attached; AWS deletes it with the instance. ecs-autoscaling-drain's group launches two instances.",
    handling: [
      { kind: 'inventory', detail: 'interfaces attached to a terminated instance are not counted' },
    ],
    coveredBy: [
      'the after-destroy inventory of this proof: the instances themselves must be terminated',
    ],
  },
  {
    id: 'ecs-capacity-providers-listing',
    what: 'ECS DescribeCapacityProviders without names',
    reason: 'moto lacks it',
    detail:
      'moto answers 500 instead of listing every capacity provider; only the inventory needs it.',
    handling: [{ kind: 'inventory', detail: 'asks for the applied capacity providers by name' }],
    coveredBy: ['the inventory after apply must see each applied capacity provider'],
  },
  {
    id: 'ec2-capacity-reservations',
    what: 'EC2 CreateCapacityReservation / DescribeCapacityReservations / ModifyCapacityReservation / CancelCapacityReservation',
    reason: 'moto lacks it',
    detail:
      "No stack resource uses them; the capacity reserver's handler does (its end-to-end scenario runs against this stand-in).",
    handling: [
      standIn(
        'ec2',
        'CreateCapacityReservation',
        'DescribeCapacityReservations',
        'ModifyCapacityReservation',
        'CancelCapacityReservation',
      ),
    ],
    coveredBy: [
      '__tests__/capacity-reservations/handlers/reconcile.create.test.ts',
      '__tests__/capacity-reservations/handlers/reconcile.reduce.test.ts',
      '__tests__/capacity-reservations/handlers/reconcile.replace.test.ts',
      '__tests__/capacity-reservations/handlers/reserver.handler.test.ts',
      '__tests__/proof/e2e/capacity-reservations.scenario.test.ts',
    ],
  },
  {
    id: 'asg-lifecycle-actions',
    what: 'Auto Scaling CompleteLifecycleAction / RecordLifecycleActionHeartbeat',
    reason: 'moto lacks it',
    detail:
      'No stack resource uses them; the ECS drain handler does. moto never starts a lifecycle action, so a test hook does.',
    handling: [standIn('autoscaling', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat')],
    coveredBy: [
      '__tests__/ecs-autoscaling-drain/handlers/drain.handler.test.ts',
      '__tests__/proof/e2e/ecs-autoscaling-drain.scenario.test.ts',
    ],
  },
  {
    id: 'redshift-resize',
    what: 'Redshift ResizeCluster / DescribeResize / DescribeEvents / DescribeNodeConfigurationOptions',
    reason: 'moto lacks it',
    detail:
      'No stack resource uses them; the resize workflow does. DescribeClusters is corrected to report a running resize.',
    handling: [
      standIn(
        'redshift',
        'ResizeCluster',
        'DescribeResize',
        'DescribeEvents',
        'DescribeNodeConfigurationOptions',
      ),
      fixUp('redshift', 'DescribeClusters'),
    ],
    coveredBy: [
      '__tests__/redshift-resize/handlers/resize.handler.test.ts',
      '__tests__/redshift-resize/handlers/guard.handler.test.ts',
      '__tests__/proof/e2e/redshift-resize.scenario.test.ts',
    ],
  },
];

export const GAPS: readonly Gap[] = [...STACK_GAPS, ...RESOURCE_GROUPS_GAPS, ...E2E_GAPS];
