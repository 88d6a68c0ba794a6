import { only, resourceById, resources, synthStack } from '../support/synth';
import { describeTerraform, evaluate, inner } from '../support/tf-eval';
import { readTfvarsExample } from '../support/tfvars';

// ecs_drain_cluster_scaling_mode: one synthesized configuration, its conditionals evaluated per mode.
const { json } = synthStack('ecs-autoscaling-drain');
type Resource = Record<string, unknown>;
const byId = (type: string, part: string): Resource => resourceById(json, type, part);

describe('capacity_provider mode, as synthesized', () => {
  test('the provider: managed scaling to ecs_drain_target_capacity_percent, termination protection, no managed draining', () => {
    expect(only(json, 'aws_ecs_capacity_provider')).toMatchObject({
      name: '${var.name_prefix}-ecs-asg',
      auto_scaling_group_provider: {
        managed_termination_protection: 'ENABLED',
        managed_draining: 'DISABLED',
        managed_scaling: {
          status: 'ENABLED',
          target_capacity: '${var.ecs_drain_target_capacity_percent}',
        },
      },
    });
  });

  test('the cluster association names the provider and is created after it', () => {
    const association = only(json, 'aws_ecs_cluster_capacity_providers');
    expect(association).toMatchObject({
      capacity_providers: ['${var.name_prefix}-ecs-asg'],
      default_capacity_provider_strategy: [
        { capacity_provider: '${var.name_prefix}-ecs-asg', base: 0, weight: 1 },
      ],
    });
    expect(association.depends_on).toEqual([
      `aws_ecs_capacity_provider.${Object.keys(resources(json, 'aws_ecs_capacity_provider'))[0]}`,
    ]);
  });

  test('the drain hook stays in both modes (it has no count)', () => {
    expect(only(json, 'aws_autoscaling_lifecycle_hook')).not.toHaveProperty('count');
    expect(only(json, 'aws_autoscaling_lifecycle_hook')).toMatchObject({
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    });
  });

  test('the service is removed before the association on destroy', () => {
    expect(only(json, 'aws_ecs_service').depends_on).toContain(
      'aws_ecs_cluster_capacity_providers.cluster-capacity',
    );
  });
});

describeTerraform('each mode, as Terraform evaluates it', () => {
  const declared = new Set(Object.keys(json.variable));
  const example = Object.fromEntries(
    Object.entries(readTfvarsExample()).filter(([k]) => declared.has(k)),
  );
  const group = only(json, 'aws_autoscaling_group') as {
    protect_from_scale_in: string;
    dynamic: { tag: { for_each: string } };
    instance_refresh: { preferences: { scale_in_protected_instances: string } };
  };
  const service = only(json, 'aws_ecs_service') as {
    launch_type: string;
    force_new_deployment: string;
    dynamic: { capacity_provider_strategy: { for_each: string } };
  };
  const expressions = {
    providers: inner(only(json, 'aws_ecs_capacity_provider').count),
    associations: inner(only(json, 'aws_ecs_cluster_capacity_providers').count),
    groupProtectedFromScaleIn: inner(group.protect_from_scale_in),
    tagKeys: `[for t in ${inner(group.dynamic.tag.for_each)} : t.key]`,
    refreshProtected: inner(group.instance_refresh.preferences.scale_in_protected_instances),
    scaleOutActs: inner(
      byId('aws_cloudwatch_metric_alarm', 'cluster-reservation-high').actions_enabled,
    ),
    scaleInActs: inner(
      byId('aws_cloudwatch_metric_alarm', 'cluster-reservation-low').actions_enabled,
    ),
    launchType: inner(service.launch_type),
    strategies: `length(${inner(service.dynamic.capacity_provider_strategy.for_each)})`,
    forceNewDeployment: inner(service.force_new_deployment),
  };

  test('"step" (the default): no provider, the step alarms act, the service keeps the EC2 launch type', () => {
    expect(evaluate(json, expressions, example)).toEqual({
      providers: 0,
      associations: 0,
      groupProtectedFromScaleIn: false,
      tagKeys: ['Name'],
      refreshProtected: 'Ignore',
      scaleOutActs: true,
      scaleInActs: true,
      launchType: 'EC2',
      strategies: 0,
      forceNewDeployment: null,
    });
  });

  test('"capacity_provider": the provider sizes a protected, tagged group and the service places through it', () => {
    const vars = { ...example, ecs_drain_cluster_scaling_mode: 'capacity_provider' };
    expect(evaluate(json, expressions, vars)).toEqual({
      providers: 1,
      associations: 1,
      groupProtectedFromScaleIn: true,
      tagKeys: ['Name', 'AmazonECSManaged'],
      refreshProtected: 'Refresh',
      scaleOutActs: false,
      scaleInActs: false,
      launchType: null,
      strategies: 1,
      forceNewDeployment: true,
    });
  });

  test('the mode is validated at plan time, naming the bad value', () => {
    const vars = { ...example, ecs_drain_cluster_scaling_mode: 'managed' };
    expect(() => evaluate(json, { mode: `var.ecs_drain_cluster_scaling_mode` }, vars)).toThrow(
      'ecs_drain_cluster_scaling_mode must be "step" or "capacity_provider", not "managed".',
    );
  });
});
