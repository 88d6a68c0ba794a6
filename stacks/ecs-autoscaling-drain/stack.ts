import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunctionRecursionConfig } from '@cdktf/provider-aws/lib/lambda-function-recursion-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformOutput, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { DRAIN_METRICS, OUTCOME_DIMENSION } from '../../functions/ecs-drain/metric-names';
import { Alerts } from '../platform/alerts';
import { ecsDrainDashboard } from './dashboard';
import { METRICS_NAMESPACE } from '../platform/dashboard';
import { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import { EcsServiceScalingTarget } from '../ecs/service-scaling';
import { declareEcsVariables, numberVar } from '../ecs/variables';
import { ECS_INTERFACE_ENDPOINTS, EcsWebApp } from '../ecs/web-app';
import { type PolicyStatement } from '../platform/iam';
import { Network } from '../platform/network';
import { FailureQueue } from '../platform/failure-queue';
import { NodeFunction } from '../platform/node-function';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';
import { ServiceRole } from '../platform/service-role';

/** The drain function's timeout: one check is 6-10 API calls. */
export const DRAIN_FUNCTION_TIMEOUT_SECONDS = 60;
/** Re-check queue visibility timeout: six times the function timeout, as Lambda recommends for SQS sources. */
export const CHECK_QUEUE_VISIBILITY_SECONDS = 6 * DRAIN_FUNCTION_TIMEOUT_SECONDS;
/** Margin on top of a check interval plus a failed check's retry that a heartbeat timeout must leave. */
export const HEARTBEAT_MARGIN_SECONDS = 60;
/** Value of POWERTOOLS_SERVICE_NAME, and the `service` dimension of the drain's metrics. */
export const DRAIN_SERVICE_NAME = 'ecs-drain';

/**
 * ECS service HA auto scaling with drain on scale-in: an ALB in front of an ECS service (EC2 launch type,
 * 2 tasks by default) whose task count follows step scaling on the service's CPU, on an Auto Scaling group
 * that follows step scaling on the cluster's CPU reservation. Before the group terminates an instance, a
 * lifecycle hook notifies an SNS topic; the drain function sets the container instance DRAINING and
 * re-checks through a delayed SQS queue until its tasks have stopped, then lets the termination go on.
 */
export class EcsAutoscalingDrainStack extends OpsStack {
  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);

    const vars = declareEcsVariables(this);
    const v = (
      name: string,
      def: number,
      min: number,
      max: number,
      description: string,
      unit?: string,
    ) => numberVar(this, `ecs_drain_${name}`, def, min, max, description, unit);
    const onDemandBase = v(
      'on_demand_base_capacity',
      0,
      0,
      1000,
      'On-Demand instances the group keeps before ecs_drain_on_demand_percentage applies.',
    );
    const onDemandPercentage = v(
      'on_demand_percentage',
      100,
      0,
      100,
      'On-Demand share of the instances above the base, in percent (100 = no Spot, as in the seed).',
      ' percent',
    );
    const minInstances = v(
      'min_instances',
      2,
      0,
      1000,
      'Fewest container instances (2: one per AZ for HA).',
    );
    const maxInstances = v('max_instances', 6, 1, 1000, 'Most container instances.');
    const taskOutCpu = v(
      'task_scale_out_cpu_percent',
      75,
      1,
      100,
      "Add a task when the service's average CPU stays above this percentage for ecs_drain_task_scale_out_minutes.",
      ' percent',
    );
    const taskOutMinutes = v(
      'task_scale_out_minutes',
      3,
      1,
      60,
      'Consecutive minutes above ecs_drain_task_scale_out_cpu_percent before a task is added.',
      ' minutes',
    );
    const taskInCpu = v(
      'task_scale_in_cpu_percent',
      25,
      0,
      99,
      "Remove a task when the service's average CPU stays below this percentage (below the scale-out one) for ecs_drain_task_scale_in_minutes.",
      ' percent',
    );
    const taskInMinutes = v(
      'task_scale_in_minutes',
      10,
      1,
      60,
      'Consecutive minutes below ecs_drain_task_scale_in_cpu_percent before a task is removed.',
      ' minutes',
    );
    const clusterOutReservation = v(
      'cluster_scale_out_reservation_percent',
      75,
      1,
      100,
      "Add an instance when the cluster's CPU reservation stays above this percentage for ecs_drain_cluster_scale_out_minutes.",
      ' percent',
    );
    const clusterOutMinutes = v(
      'cluster_scale_out_minutes',
      3,
      1,
      60,
      'Consecutive minutes above ecs_drain_cluster_scale_out_reservation_percent before an instance is added.',
      ' minutes',
    );
    const clusterInReservation = v(
      'cluster_scale_in_reservation_percent',
      30,
      0,
      99,
      "Remove an instance (drained first) when the cluster's CPU reservation stays below this percentage (below the scale-out one) for ecs_drain_cluster_scale_in_minutes.",
      ' percent',
    );
    const clusterInMinutes = v(
      'cluster_scale_in_minutes',
      15,
      1,
      60,
      'Consecutive minutes below ecs_drain_cluster_scale_in_reservation_percent before an instance is removed.',
      ' minutes',
    );
    const heartbeat = v(
      'heartbeat_timeout_seconds',
      900,
      30,
      7200,
      "Lifecycle hook heartbeat timeout: the drain records a heartbeat at every check, so it must outlast a check interval plus a failed check's retry (interval + 360 + 60).",
      ' seconds',
    );
    const checkInterval = v(
      'check_interval_seconds',
      30,
      5,
      900,
      'Seconds between two checks of a draining instance (SQS message delay).',
      ' seconds',
    );
    const maxDrain = v(
      'max_seconds',
      3600,
      60,
      172800,
      'Longest a drain may take, then the instance terminates anyway (at most 100 x the heartbeat timeout and 48 hours).',
      ' seconds',
    );
    const standaloneGrace = v(
      'standalone_grace_seconds',
      300,
      0,
      172800,
      'Standalone tasks (RunTask) still running this long after the drain began are stopped; service tasks never are. At most ecs_drain_max_seconds.',
      ' seconds',
    );

    const alerts = new Alerts(this, 'alerts');
    const network = new Network(this, 'network', {
      publicSubnets: true,
      interfaceEndpoints: ECS_INTERFACE_ENDPOINTS,
      gatewayEndpoints: ['s3'],
    });
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
      minSize: minInstances,
      maxSize: maxInstances,
      instanceTypes: vars.instanceTypes,
      onDemandBaseCapacity: onDemandBase,
      onDemandPercentageAboveBaseCapacity: onDemandPercentage,
      spotAllocationStrategy: vars.spotAllocationStrategy,
      dependsOn: [app.cluster.cluster],
    });
    const service = app.service('service', { launchType: 'EC2' });

    // ---- Task scaling: step scaling on the service's CPU ----
    const scaling = new EcsServiceScalingTarget(this, 'service-scaling', {
      clusterName,
      service,
      minTasks: vars.minTasks,
      maxTasks: vars.maxTasks,
    });
    const target = scaling.target;
    const taskStep = (direction: 'out' | 'in') =>
      new AppautoscalingPolicy(this, `task-scale-${direction}`, {
        name: `${service.serviceName}-scale-${direction}`,
        policyType: 'StepScaling',
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        stepScalingPolicyConfiguration: {
          adjustmentType: 'ChangeInCapacity',
          cooldown: direction === 'out' ? 60 : 300,
          metricAggregationType: 'Average',
          stepAdjustment: [
            direction === 'out'
              ? { metricIntervalLowerBound: '0', scalingAdjustment: 1 }
              : { metricIntervalUpperBound: '0', scalingAdjustment: -1 },
          ],
        },
      });
    const taskOut = taskStep('out');
    const taskIn = taskStep('in');
    const serviceCpu = {
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ClusterName: clusterName, ServiceName: service.serviceName },
      statistic: 'Average',
      period: 60,
    };
    new CloudwatchMetricAlarm(this, 'task-cpu-high', {
      ...serviceCpu,
      alarmName: `${service.serviceName}-cpu-high`,
      alarmDescription: 'Adds a task: service CPU above the scale-out threshold',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: taskOutCpu,
      evaluationPeriods: taskOutMinutes,
      treatMissingData: 'notBreaching',
      alarmActions: [taskOut.arn],
    });
    new CloudwatchMetricAlarm(this, 'task-cpu-low', {
      ...serviceCpu,
      alarmName: `${service.serviceName}-cpu-low`,
      alarmDescription: 'Removes a task: service CPU below the scale-in threshold',
      comparisonOperator: 'LessThanThreshold',
      threshold: taskInCpu,
      evaluationPeriods: taskInMinutes,
      treatMissingData: 'notBreaching',
      alarmActions: [taskIn.arn],
      lifecycle: {
        precondition: [
          {
            condition: `\${${Token.asString(taskInCpu)} < ${Token.asString(taskOutCpu)}}`,
            errorMessage: `ecs_drain_task_scale_in_cpu_percent (${Token.asString(taskInCpu)}) must be below ecs_drain_task_scale_out_cpu_percent (${Token.asString(taskOutCpu)}).`,
          },
        ],
      },
    });

    // ---- Cluster scaling: step scaling on the cluster's CPU reservation ----
    const instanceStep = (direction: 'out' | 'in') =>
      new AutoscalingPolicy(this, `instance-scale-${direction}`, {
        name: `${asg.groupName}-scale-${direction}`,
        autoscalingGroupName: asg.group.name,
        policyType: 'StepScaling',
        adjustmentType: 'ChangeInCapacity',
        metricAggregationType: 'Average',
        ...(direction === 'out' ? { estimatedInstanceWarmup: 120 } : {}),
        stepAdjustment: [
          direction === 'out'
            ? { metricIntervalLowerBound: '0', scalingAdjustment: 1 }
            : { metricIntervalUpperBound: '0', scalingAdjustment: -1 },
        ],
      });
    const instanceOut = instanceStep('out');
    const instanceIn = instanceStep('in');
    const reservation = {
      namespace: 'AWS/ECS',
      metricName: 'CPUReservation',
      dimensions: { ClusterName: clusterName },
      statistic: 'Average',
      period: 60,
    };
    new CloudwatchMetricAlarm(this, 'cluster-reservation-high', {
      ...reservation,
      alarmName: `${clusterName}-cpu-reservation-high`,
      alarmDescription: 'Adds an instance: cluster CPU reservation above the scale-out threshold',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: clusterOutReservation,
      evaluationPeriods: clusterOutMinutes,
      treatMissingData: 'notBreaching',
      alarmActions: [instanceOut.arn],
    });
    new CloudwatchMetricAlarm(this, 'cluster-reservation-low', {
      ...reservation,
      alarmName: `${clusterName}-cpu-reservation-low`,
      alarmDescription:
        'Removes an instance (drained first): cluster CPU reservation below the scale-in threshold',
      comparisonOperator: 'LessThanThreshold',
      threshold: clusterInReservation,
      evaluationPeriods: clusterInMinutes,
      treatMissingData: 'notBreaching',
      alarmActions: [instanceIn.arn],
      lifecycle: {
        precondition: [
          {
            condition: `\${${Token.asString(clusterInReservation)} < ${Token.asString(clusterOutReservation)}}`,
            errorMessage: `ecs_drain_cluster_scale_in_reservation_percent (${Token.asString(clusterInReservation)}) must be below ecs_drain_cluster_scale_out_reservation_percent (${Token.asString(clusterOutReservation)}).`,
          },
        ],
      },
    });

    // ---- Drain on scale-in: hook -> SNS -> function -> delayed SQS re-checks -> function ----
    const failures = new FailureQueue(this, 'drain-failures', { name: 'ecs-drain-failures' });
    const checksName = this.name('ecs-drain-checks');
    const checks = new SqsQueue(this, 'drain-checks', {
      name: checksName,
      // Standard, not FIFO: each check sets its own DelaySeconds, which FIFO queues do not allow.
      delaySeconds: 0,
      visibilityTimeoutSeconds: CHECK_QUEUE_VISIBILITY_SECONDS,
      // Longer than the longest drain (48 h) plus an hour.
      messageRetentionSeconds: 4 * 86400,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: failures.queue.arn,
        maxReceiveCount: 5,
      }),
    });
    const checksArn = this.arn('sqs', checksName);

    const clusterArn = app.cluster.clusterArn;
    const inCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };
    const drainStatements: PolicyStatement[] = [
      {
        sid: 'FindContainerInstance',
        actions: ['ecs:ListContainerInstances'],
        resources: [clusterArn],
      },
      {
        sid: 'DrainContainerInstancesOfCluster',
        actions: [
          'ecs:DescribeContainerInstances',
          'ecs:ListTasks',
          'ecs:UpdateContainerInstancesState',
        ],
        resources: [this.arn('ecs', `container-instance/${clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'InspectAndStopTasksOfCluster',
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [this.arn('ecs', `task/${clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'LifecycleActionsOfGroup',
        actions: [
          'autoscaling:CompleteLifecycleAction',
          'autoscaling:RecordLifecycleActionHeartbeat',
        ],
        resources: [asg.arnPattern],
      },
      { sid: 'QueueNextCheck', actions: ['sqs:SendMessage'], resources: [checksArn] },
      {
        sid: 'ReceiveChecks',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [checksArn],
        platform: true,
      },
    ];
    const drain = new NodeFunction(this, 'drain', {
      asset: 'ecs-drain-drain',
      name: 'ecs-drain',
      description: 'Drains an ECS container instance before Auto Scaling terminates it',
      timeoutSeconds: DRAIN_FUNCTION_TIMEOUT_SECONDS,
      memoryMb: 256,
      onFailure: { arn: failures.arn, kind: 'sqs' },
      environment: {
        CLUSTER_NAME: clusterName,
        CHECK_QUEUE_URL: checks.url,
        CHECK_INTERVAL_SECONDS: Token.asString(checkInterval),
        MAX_DRAIN_SECONDS: Token.asString(maxDrain),
        STANDALONE_TASK_GRACE_SECONDS: Token.asString(standaloneGrace),
        POWERTOOLS_SERVICE_NAME: DRAIN_SERVICE_NAME,
      },
      statements: drainStatements,
    });
    // The function queues its own re-checks: Lambda's loop detection would stop a drain after ~16 checks.
    new LambdaFunctionRecursionConfig(this, 'drain-recursion', {
      functionName: drain.function.functionName,
      recursiveLoop: 'Allow',
    });
    new LambdaEventSourceMapping(this, 'drain-checks-source', {
      functionName: drain.function.arn,
      eventSourceArn: checks.arn,
      batchSize: 5,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: 5 },
      dependsOn: [drain.policy],
    });

    const topicName = this.name('ecs-drain-lifecycle');
    const topic = new SnsTopic(this, 'drain-lifecycle', {
      name: topicName,
      kmsMasterKeyId: alerts.key.arn,
    });
    const topicArn = this.arn('sns', topicName);
    const invoke = new LambdaPermission(this, 'drain-invoke', {
      statementId: 'AllowLifecycleTopic',
      action: 'lambda:InvokeFunction',
      functionName: drain.function.functionName,
      principal: 'sns.amazonaws.com',
      sourceArn: topic.arn,
    });
    const subscription = new SnsTopicSubscription(this, 'drain-subscription', {
      topicArn: topic.arn,
      protocol: 'lambda',
      endpoint: drain.function.arn,
    });

    const hookStatements: PolicyStatement[] = [
      { sid: 'NotifyDrain', actions: ['sns:Publish'], resources: [topicArn] },
      {
        // The key's ARN is only known after apply; its alias is known from the inputs.
        sid: 'EncryptForTopic',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.arn('kms', 'key/*')],
        conditions: {
          StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` },
          'ForAnyValue:StringEquals': {
            'kms:ResourceAliases': `alias/${this.name(this.stackName)}`,
          },
        },
      },
    ];
    const hook = new ServiceRole(this, {
      name: this.name('ecs-drain-hook'),
      description: 'Auto Scaling lifecycle hook: notifies the drain topic',
      service: 'autoscaling.amazonaws.com',
      policyName: 'notify-drain',
      statements: hookStatements,
      ids: { role: 'hook-role', policy: 'hook-policy' },
    });
    new AutoscalingLifecycleHook(this, 'drain-hook', {
      name: this.name('ecs-drain'),
      autoscalingGroupName: asg.group.name,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      defaultResult: 'CONTINUE',
      heartbeatTimeout: heartbeat,
      notificationTargetArn: topic.arn,
      roleArn: hook.role.arn,
      // Creating the hook publishes a test notification: the role and the subscription must exist.
      dependsOn: [hook.policy, subscription, invoke],
      lifecycle: {
        precondition: [
          {
            condition: `\${${Token.asString(heartbeat)} >= ${Token.asString(checkInterval)} + ${CHECK_QUEUE_VISIBILITY_SECONDS + HEARTBEAT_MARGIN_SECONDS}}`,
            errorMessage: `ecs_drain_heartbeat_timeout_seconds (${Token.asString(heartbeat)}) must be at least ecs_drain_check_interval_seconds (${Token.asString(checkInterval)}) + ${CHECK_QUEUE_VISIBILITY_SECONDS} (a failed check's retry) + ${HEARTBEAT_MARGIN_SECONDS}.`,
          },
          {
            condition: `\${${Token.asString(maxDrain)} <= 100 * ${Token.asString(heartbeat)}}`,
            errorMessage: `ecs_drain_max_seconds (${Token.asString(maxDrain)}) must be at most 100 x ecs_drain_heartbeat_timeout_seconds (${Token.asString(heartbeat)}): Auto Scaling ends a wait after 100 heartbeat timeouts.`,
          },
          {
            condition: `\${${Token.asString(standaloneGrace)} <= ${Token.asString(maxDrain)}}`,
            errorMessage: `ecs_drain_standalone_grace_seconds (${Token.asString(standaloneGrace)}) must not exceed ecs_drain_max_seconds (${Token.asString(maxDrain)}).`,
          },
        ],
      },
    });

    // ---- Alarms ----
    app.alarms(alerts, service);
    alerts.functionErrors('drain-errors', drain);
    alerts.queueNotEmpty('drain-failures-not-empty', failures.name);
    alerts.alarm('drain-timed-out', {
      alarmName: `${drain.functionName}-timed-out`,
      alarmDescription:
        'An instance terminated while tasks still ran on it: the drain reached ecs_drain_max_seconds',
      namespace: METRICS_NAMESPACE,
      metricName: DRAIN_METRICS.outcome,
      dimensions: { service: DRAIN_SERVICE_NAME, [OUTCOME_DIMENSION]: 'TimedOut' },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
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
        { label: 'add a task', value: taskOutCpu },
        { label: 'remove a task', value: taskInCpu },
      ],
      reservationAnnotations: [
        { label: 'add an instance', value: clusterOutReservation },
        { label: 'remove an instance', value: clusterInReservation },
      ],
      drain,
      groupName: asg.groupName,
      checkQueueName: checksName,
      failureQueueName: failures.name,
      maxDrainSeconds: maxDrain,
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
