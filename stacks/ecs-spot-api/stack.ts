import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { TerraformOutput, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { Alerts } from '../platform/alerts';
import { ecsSpotDashboard } from './dashboard';
import { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import { EcsAsgCapacityProvider } from '../ecs/capacity-provider';
import { InstanceRefreshSchedule } from '../ecs/instance-refresh-schedule';
import { TARGET_HEALTH_CHECK } from '../ecs/load-balancer';
import { EcsServiceScalingTarget, serviceTargetTracking } from '../ecs/service-scaling';
import { spotReplacementPrecondition } from '../ecs/spot-notice';
import { declareEcsVariables } from '../ecs/variables';
import {
  declareCapacityReservationGroupVariable,
  launchIntoCapacityReservationGroup,
} from '../ecs/capacity-reservation';
import { declareFallbackVariables } from './fallback-variables';
import { SpotFallback } from './spot-fallback';
import { SpotSignals } from './spot-signals';
import { declareSpotVariables } from './variables';
import { ecsNetwork, EcsWebApp } from '../ecs/web-app';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';

/**
 * A scalable API on Spot instances: an ALB in front of an ECS service on EC2 whose tasks are split between
 * an On-Demand and a Spot Auto Scaling group by a capacity provider strategy (On-Demand base, then
 * weights), with ECS managed scaling, managed termination protection and managed instance draining, and
 * service auto scaling on CPU (and optionally requests per target).
 *
 * Two groups rather than one mixed group: a capacity provider strategy can only steer tasks between
 * capacity providers, and ECS cannot tell Spot from On-Demand instances inside one mixed group. With one
 * provider per purchase option the strategy places exactly base + weight shares of tasks on each, and
 * managed scaling sizes each group for its own tasks.
 */
export class EcsSpotApiStack extends OpsStack {
  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);

    const own = declareSpotVariables(this);
    const vars = declareEcsVariables(this, { deploymentMinimumHealthyPercent: own.minimumHealthy });

    const alerts = new Alerts(this, 'alerts');
    const network = ecsNetwork(this);
    const app = new EcsWebApp(this, 'app', {
      network,
      vars,
      clusterName: 'ecs-spot-api',
      name: 'ecs-spot-api',
    });

    const group = (purpose: 'on-demand' | 'spot', maxSize: number) =>
      new EcsAutoScalingGroup(this, `${purpose}-asg`, {
        name: `ecs-spot-api-${purpose}`,
        launchTemplate: app.launchTemplate,
        subnetIds: network.privateSubnetIds,
        minSize: 0,
        maxSize,
        instanceTypes: vars.instanceTypes,
        onDemandBaseCapacity: 0,
        onDemandPercentageAboveBaseCapacity: purpose === 'spot' ? 0 : 100,
        spotAllocationStrategy: vars.spotAllocationStrategy,
        ecsManaged: true,
        protectFromScaleIn: own.terminationProtection,
        refreshProtectedInstances: 'Refresh',
        createBeforeDestroy: true,
        // Destroyed before the cluster: its instances must be gone before the cluster can be deleted.
        dependsOn: [app.cluster.cluster],
      });
    const onDemandGroup = group('on-demand', own.onDemandMax);
    // Only the On-Demand group: Spot instances cannot launch into Capacity Reservations.
    launchIntoCapacityReservationGroup(
      onDemandGroup,
      declareCapacityReservationGroupVariable(this),
    );
    const spotGroup = group('spot', own.spotMax);
    new InstanceRefreshSchedule(this, 'ami-rollout', {
      name: 'ecs-spot-api',
      groups: [
        { key: 'on-demand', group: onDemandGroup },
        { key: 'spot', group: spotGroup },
      ],
      scheduleExpression: own.refreshSchedule,
    });

    const provider = (purpose: 'on-demand' | 'spot', asg: EcsAutoScalingGroup) =>
      new EcsAsgCapacityProvider(this, `${purpose}-capacity`, {
        name: `ecs-spot-api-${purpose}`,
        autoScalingGroup: asg,
        targetCapacityPercent: own.targetCapacity,
        managedTerminationProtection: own.terminationProtection,
      });
    const onDemand = provider('on-demand', onDemandGroup);
    const spot = provider('spot', spotGroup);

    const strategy = [
      {
        capacityProvider: onDemand.capacityProvider.name,
        base: own.onDemandBase,
        weight: own.onDemandWeight,
      },
      { capacityProvider: spot.capacityProvider.name, base: 0, weight: own.spotWeight },
    ];
    const clusterProviders = new EcsClusterCapacityProviders(this, 'cluster-capacity', {
      clusterName: app.cluster.cluster.name,
      capacityProviders: [onDemand.capacityProvider.name, spot.capacityProvider.name],
      defaultCapacityProviderStrategy: strategy,
      lifecycle: {
        precondition: [
          {
            condition: `\${${Token.asString(own.onDemandWeight)} + ${Token.asString(own.spotWeight)} > 0}`,
            errorMessage:
              'ecs_spot_on_demand_weight and ecs_spot_spot_weight cannot both be 0: at least one capacity provider needs a weight.',
          },
          spotReplacementPrecondition({
            minimumHealthyPercent: own.minimumHealthy,
            targetCapacityPercent: own.targetCapacity,
            deregistrationDelaySeconds: vars.deregistrationDelaySeconds,
            containerStopTimeoutSeconds: vars.containerStopTimeoutSeconds,
            healthyAfterSeconds:
              TARGET_HEALTH_CHECK.healthyThreshold * TARGET_HEALTH_CHECK.intervalSeconds,
            names: {
              minimumHealthy: 'ecs_spot_minimum_healthy_percent',
              targetCapacity: 'ecs_spot_target_capacity_percent',
            },
          }),
        ],
      },
    });

    // Depends on the cluster's providers, so a destroy removes the service before them.
    const service = app.service('service', { capacityProviderStrategy: strategy }, [
      clusterProviders,
    ]);

    const scaling = new EcsServiceScalingTarget(this, 'service-scaling', {
      clusterName: app.cluster.clusterName,
      service,
      minTasks: vars.minTasks,
      maxTasks: vars.maxTasks,
    });
    const tracking = (
      id: string,
      suffix: string,
      targetValue: number,
      metric: { predefinedMetricType: string; resourceLabel?: string },
      optional: boolean,
    ) =>
      serviceTargetTracking(this, id, {
        target: scaling.target,
        name: `${service.serviceName}-${suffix}`,
        targetValue,
        metric,
        optional,
      });
    tracking(
      'cpu-tracking',
      'cpu',
      own.cpuTarget,
      { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      false,
    );
    tracking(
      'memory-tracking',
      'memory',
      own.memoryTarget,
      { predefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
      true,
    );
    const lb = app.loadBalancer;
    tracking(
      'request-tracking',
      'requests',
      own.requestsPerTarget,
      {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: `${lb.loadBalancer.arnSuffix}/${lb.targetGroup.arnSuffix}`,
      },
      true,
    );

    app.alarms(alerts, service);
    const signals = new SpotSignals(this, {
      clusterName: app.cluster.clusterName,
      clusterArn: app.cluster.clusterArn,
      groups: [onDemandGroup, spotGroup],
      alerts,
      interruptionThreshold: own.interruptionAlarmThreshold,
    });
    const fallback = declareFallbackVariables(this);
    new SpotFallback(this, 'spot-fallback', {
      enabled: fallback.enabled,
      clusterName: app.cluster.clusterName,
      clusterArn: app.cluster.clusterArn,
      serviceName: service.serviceName,
      onDemandProvider: onDemand.providerName,
      spotProvider: spot.providerName,
      split: {
        onDemandBase: own.onDemandBase,
        onDemandWeight: own.onDemandWeight,
        spotWeight: own.spotWeight,
      },
      afterSeconds: fallback.afterSeconds,
      recoverAfterSeconds: fallback.recoverAfterSeconds,
      minIntervalSeconds: fallback.minIntervalSeconds,
      stateTableName: signals.seenTableName,
      alerts,
    });
    ecsSpotDashboard(this, {
      clusterName: app.cluster.clusterName,
      serviceName: service.serviceName,
      cpuAnnotations: [{ label: 'ecs_spot_cpu_target_percent', value: own.cpuTarget }],
      onDemand: { groupName: onDemandGroup.groupName, capacityProviderName: onDemand.providerName },
      spot: { groupName: spotGroup.groupName, capacityProviderName: spot.providerName },
      signals: { fn: signals.fn, interruptionThreshold: own.interruptionAlarmThreshold },
    });

    new TerraformOutput(this, 'load_balancer_dns_name', { value: lb.loadBalancer.dnsName });
    new TerraformOutput(this, 'cluster_name', { value: app.cluster.cluster.name });
    new TerraformOutput(this, 'service_name', { value: service.service.name });
  }
}
