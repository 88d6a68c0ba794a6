/**
 * How the inventory (inventory.ts) sees each resource type the stacks create: the kind that lists it and the
 * state attribute holding the identifier it lists, or the parent whose disappearance takes it along (a route
 * lives in its route table, a role policy in its role). A type in neither fails the deploy proof, so a new
 * resource type cannot slip past the after-destroy check.
 */
export type Seen =
  | { readonly kind: string; readonly attribute: string }
  | { readonly parent: string };

const by = (kind: string, attribute = 'id'): Seen => ({ kind, attribute });
const inside = (parent: string): Seen => ({ parent });

export const SEEN_AS: Readonly<Record<string, Seen>> = {
  aws_vpc: by('ec2:vpcs'),
  aws_subnet: by('ec2:subnets'),
  aws_route_table: by('ec2:route-tables'),
  aws_route_table_association: by('ec2:route-tables'),
  aws_route: inside('aws_route_table'),
  aws_internet_gateway: by('ec2:internet-gateways'),
  aws_nat_gateway: by('ec2:nat-gateways'),
  aws_eip: by('ec2:addresses', 'allocation_id'),
  aws_security_group: by('ec2:security-groups'),
  aws_default_security_group: by('ec2:security-groups'),
  aws_vpc_security_group_ingress_rule: by('ec2:security-group-rules', 'security_group_rule_id'),
  aws_vpc_security_group_egress_rule: by('ec2:security-group-rules', 'security_group_rule_id'),
  aws_vpc_endpoint: by('ec2:vpc-endpoints'),
  aws_launch_template: by('ec2:launch-templates'),
  aws_iam_role: by('iam:roles', 'name'),
  aws_iam_role_policy: inside('aws_iam_role'),
  aws_iam_instance_profile: by('iam:instance-profiles', 'name'),
  aws_lambda_function: by('lambda:functions', 'function_name'),
  aws_lambda_event_source_mapping: by('lambda:event-source-mappings', 'uuid'),
  aws_lambda_permission: inside('aws_lambda_function'),
  aws_lambda_function_event_invoke_config: inside('aws_lambda_function'),
  aws_lambda_function_recursion_config: inside('aws_lambda_function'),
  aws_cloudwatch_log_group: by('logs:log-groups', 'name'),
  aws_cloudwatch_metric_alarm: by('cloudwatch:alarms', 'alarm_name'),
  aws_cloudwatch_dashboard: by('cloudwatch:dashboards', 'dashboard_name'),
  aws_cloudwatch_event_rule: by('events:rules', 'name'),
  aws_cloudwatch_event_target: inside('aws_cloudwatch_event_rule'),
  aws_sns_topic: by('sns:topics', 'arn'),
  aws_sns_topic_subscription: by('sns:subscriptions', 'arn'),
  aws_sqs_queue: by('sqs:queues', 'name'),
  aws_sqs_queue_policy: inside('aws_sqs_queue'),
  aws_kms_key: by('kms:keys', 'key_id'),
  aws_kms_alias: by('kms:aliases', 'name'),
  aws_dynamodb_table: by('dynamodb:tables', 'name'),
  aws_rds_cluster: by('rds:clusters', 'cluster_identifier'),
  aws_rds_cluster_instance: by('rds:instances', 'identifier'),
  aws_db_subnet_group: by('rds:subnet-groups', 'name'),
  aws_ecs_cluster: by('ecs:clusters', 'arn'),
  aws_ecs_service: by('ecs:services'),
  aws_ecs_task_definition: by('ecs:task-definitions', 'arn'),
  aws_ecs_capacity_provider: by('ecs:capacity-providers', 'arn'),
  aws_ecs_cluster_capacity_providers: inside('aws_ecs_cluster'),
  aws_autoscaling_group: by('autoscaling:groups', 'name'),
  aws_autoscaling_lifecycle_hook: inside('aws_autoscaling_group'),
  aws_autoscaling_policy: by('autoscaling:policies', 'name'),
  aws_appautoscaling_target: by('appautoscaling:targets', 'resource_id'),
  aws_appautoscaling_policy: by('appautoscaling:policies', 'name'),
  aws_lb: by('elbv2:load-balancers', 'arn'),
  aws_lb_listener: by('elbv2:listeners', 'arn'),
  aws_lb_listener_rule: by('elbv2:rules', 'arn'),
  aws_lb_target_group: by('elbv2:target-groups', 'arn'),
  aws_sfn_state_machine: by('sfn:state-machines', 'arn'),
  aws_scheduler_schedule: by('scheduler:schedules', 'name'),
  aws_resourcegroups_group: by('resource-groups:groups', 'name'),
  aws_ecr_pull_through_cache_rule: by('ecr:pull-through-cache-rules', 'ecr_repository_prefix'),
};

/** Kept after a destroy on purpose, by stack: kind -> pattern and why. */
export const EXPECTED_REMNANTS: Readonly<
  Record<string, ReadonlyArray<{ kind: string; id: RegExp; why: string }>>
> = {
  'capacity-reservations': [
    {
      kind: 'rds:cluster-snapshots',
      id: /-final$/,
      why: 'capacity_db_skip_final_snapshot = false (the example): destroy takes "<cluster>-final" and keeps it',
    },
  ],
};
