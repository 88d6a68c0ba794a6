import { TerraformOutput, Token } from 'cdktf';
import type { Construct } from 'constructs';
import {
  DRAIN_METRICS,
  type DrainOutcome,
  OUTCOME_DIMENSION,
} from '../../functions/ecs-drain/metric-names';
import { Alerts } from '../platform/alerts';
import { ecsDrainDashboard } from './dashboard';
import { METRICS_NAMESPACE } from '../platform/dashboard';
import { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import { EcsServiceScalingTarget, serviceTargetTracking } from '../ecs/service-scaling';
import { declareEcsVariables } from '../ecs/variables';
import { DRAIN_SERVICE_NAME, DrainHook } from './drain-hook';
import {
  instanceStepPolicies,
  ReservationAlarms,
  ScalingAlarms,
  taskStepPolicies,
} from './scaling';
import { declareDrainVariables } from './variables';
import {
  groupCapacityProvider,
  providerMode,
  serviceThroughProvider,
  stepMode,
} from './capacity-mode';
import { ecsNetwork, EcsWebApp } from '../ecs/web-app';
import { FailureQueue } from '../platform/failure-queue';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';
import {
  declareCapacityReservationGroupVariable,
  launchIntoCapacityReservationGroup,
} from '../ecs/capacity-reservation';

/**
 * ECS service HA auto scaling with drain on scale-in: an ALB in front of an ECS service (EC2 launch type,
 * 2 tasks by default) whose task count follows step scaling on the service's CPU, on an Auto Scaling group
 * that follows step scaling on the cluster's CPU and memory reservation, or (ecs_drain_cluster_scaling_mode
 * "capacity_provider") an ECS capacity provider's managed scaling. Before the group terminates an instance, a
 * lifecycle hook notifies an SNS topic; the drain function sets the container instance DRAINING and
 * re-checks through a delayed SQS queue until its tasks have stopped, then lets the termination go on.
 */
export class EcsAutoscalingDrainStack extends OpsStack {
  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);

    const vars = declareEcsVariables(this);
    const own = declareDrainVariables(this);

    const alerts = new Alerts(this, 'alerts');
    const network = ecsNetwork(this);
    const app = new EcsWebApp(this, 'app', {
      network,
      vars,
      clusterName: 'ecs',
      name: 'ecs-drain-api',
    });
    const clusterName = app.cluster.clusterName;

    const asg = new EcsAutoScalingGroup(this, 'asg', {
      name: 'ecs-asg',
      launchTemplate: app.launchTemplate,
      subnetIds: network.privateSubnetIds,
      minSize: own.minInstances,
      maxSize: own.maxInstances,
      instanceTypes: vars.instanceTypes,
      onDemandBaseCapacity: own.onDemandBase,
      onDemandPercentageAboveBaseCapacity: own.onDemandPercentage,
      spotAllocationStrategy: vars.spotAllocationStrategy,
      // Managed termination protection (capacity_provider mode) needs it; false in step mode, as before.
      protectFromScaleIn: providerMode(),
      maxInstanceLifetimeSeconds: Token.asNumber(
        `\${${Token.asString(own.maxInstanceLifetimeDays)} * 86400}`,
      ),
      dependsOn: [app.cluster.cluster],
    });
    // The On-Demand part of the group (Spot instances cannot launch into Capacity Reservations).
    launchIntoCapacityReservationGroup(asg, declareCapacityReservationGroupVariable(this));
    // ---- capacity_provider mode: ECS sizes the group (count 0 in step mode) ----
    const capacity = groupCapacityProvider(this, {
      asg,
      clusterName: app.cluster.cluster.name,
      targetCapacityPercent: own.targetCapacity,
      mode: own.clusterScalingMode,
    });
    // Depends on the association, so a destroy removes the service before the capacity provider.
    const service = app.service('service', { launchType: 'EC2' }, [capacity.association]);
    serviceThroughProvider(service, capacity.provider.providerName);

    // ---- Task scaling: step scaling on the service's CPU, optionally target tracking on its memory ----
    const scaling = new EcsServiceScalingTarget(this, 'service-scaling', {
      clusterName,
      service,
      minTasks: vars.minTasks,
      maxTasks: vars.maxTasks,
    });
    new ScalingAlarms(this, {
      ids: { high: 'task-cpu-high', low: 'task-cpu-low' },
      alarmNamePrefix: `${service.serviceName}-cpu`,
      metric: {
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions: { ClusterName: clusterName, ServiceName: service.serviceName },
      },
      out: {
        threshold: own.taskOutCpu,
        minutes: own.taskOutMinutes,
        variable: 'ecs_drain_task_scale_out_cpu_percent',
        alarmDescription: 'Adds a task: service CPU above the scale-out threshold',
      },
      in: {
        threshold: own.taskInCpu,
        minutes: own.taskInMinutes,
        variable: 'ecs_drain_task_scale_in_cpu_percent',
        alarmDescription: 'Removes a task: service CPU below the scale-in threshold',
      },
      policies: taskStepPolicies(this, service.serviceName, scaling.target),
      scaleInGate: { metricName: 'MemoryUtilization', target: own.taskMemoryTarget },
    });
    // Memory only adds tasks: the CPU step policy removes them, and only while memory is low (the gate).
    serviceTargetTracking(this, 'task-memory-tracking', {
      target: scaling.target,
      name: `${service.serviceName}-memory`,
      targetValue: own.taskMemoryTarget,
      metric: { predefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
      optional: true,
      disableScaleIn: true,
    });

    // ---- Cluster scaling: step scaling on the cluster's CPU and memory reservation ----
    new ReservationAlarms(this, {
      ids: { high: 'cluster-reservation-high', low: 'cluster-reservation-low' },
      alarmNamePrefix: `${clusterName}-reservation`,
      clusterName,
      cpu: {
        out: own.clusterOutReservation,
        outVariable: 'ecs_drain_cluster_scale_out_reservation_percent',
        in: own.clusterInReservation,
        inVariable: 'ecs_drain_cluster_scale_in_reservation_percent',
      },
      memory: {
        out: own.clusterOutMemoryReservation,
        outVariable: 'ecs_drain_cluster_scale_out_memory_reservation_percent',
        in: own.clusterInMemoryReservation,
        inVariable: 'ecs_drain_cluster_scale_in_memory_reservation_percent',
      },
      outMinutes: own.clusterOutMinutes,
      inMinutes: own.clusterInMinutes,
      policies: instanceStepPolicies(this, asg),
      // In capacity_provider mode ECS's own target tracking policy sizes the group.
      actionsEnabled: stepMode(),
    });

    // ---- Drain on scale-in: hook -> SNS -> function -> delayed SQS re-checks -> function ----
    const failures = new FailureQueue(this, 'drain-failures', { name: 'ecs-drain-failures' });
    const hook = new DrainHook(this, {
      clusterName,
      clusterArn: app.cluster.clusterArn,
      asg,
      alerts,
      failures,
      heartbeat: own.heartbeat,
      checkInterval: own.checkInterval,
      maxDrain: own.maxDrain,
      standaloneGrace: own.standaloneGrace,
      agentDisconnectedGrace: own.agentDisconnectedGrace,
    });
    const { drain, checks, topic } = hook;

    // ---- Alarms ----
    app.alarms(alerts, service);
    alerts.functionErrors('drain-errors', drain);
    alerts.queueNotEmpty('drain-failures-not-empty', failures.name);
    const outcomeAlarm = (id: string, outcome: DrainOutcome, alarmDescription: string) =>
      alerts.alarm(id, {
        alarmName: `${drain.functionName}-${id.replace(/^drain-/, '')}`,
        alarmDescription,
        namespace: METRICS_NAMESPACE,
        metricName: DRAIN_METRICS.outcome,
        dimensions: { service: DRAIN_SERVICE_NAME, [OUTCOME_DIMENSION]: outcome },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    outcomeAlarm(
      'drain-timed-out',
      'TimedOut',
      'An instance terminated while tasks still ran on it: the drain reached ecs_drain_max_seconds',
    );
    outcomeAlarm(
      'drain-agent-disconnected',
      'AgentDisconnected',
      'An instance terminated while its container agent was disconnected: its tasks were not drained',
    );
    alerts.alarm('drain-loop-dropped', {
      alarmName: `${drain.functionName}-recursion-dropped`,
      alarmDescription: 'Lambda stopped the drain re-check loop (recursion config missing?)',
      namespace: 'AWS/Lambda',
      metricName: 'RecursiveInvocationsDropped',
      dimensions: { FunctionName: drain.functionName },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });

    ecsDrainDashboard(this, {
      clusterName,
      serviceName: service.serviceName,
      cpuAnnotations: [
        { label: 'add a task', value: own.taskOutCpu },
        { label: 'remove a task', value: own.taskInCpu },
      ],
      reservationAnnotations: [
        { label: 'add an instance', value: own.clusterOutReservation },
        { label: 'remove an instance', value: own.clusterInReservation },
      ],
      drain,
      groupName: asg.groupName,
      checkQueueName: hook.checksName,
      failureQueueName: failures.name,
      maxDrainSeconds: own.maxDrain,
    });

    new TerraformOutput(this, 'load_balancer_dns_name', {
      value: app.loadBalancer.loadBalancer.dnsName,
    });
    new TerraformOutput(this, 'cluster_name', { value: app.cluster.cluster.name });
    new TerraformOutput(this, 'service_name', { value: service.service.name });
    new TerraformOutput(this, 'auto_scaling_group_name', { value: asg.group.name });
    new TerraformOutput(this, 'drain_topic_arn', { value: topic.arn });
    new TerraformOutput(this, 'drain_check_queue_url', { value: checks.url });
  }
}
