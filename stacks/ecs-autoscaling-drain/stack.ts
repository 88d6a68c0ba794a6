import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
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
import { declareEcsVariables } from '../ecs/variables';
import { instanceStepPolicies, ScalingAlarms, taskStepPolicies } from './scaling';
import { declareDrainVariables } from './variables';
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
    const {
      onDemandBase,
      onDemandPercentage,
      minInstances,
      maxInstances,
      taskOutCpu,
      taskOutMinutes,
      taskInCpu,
      taskInMinutes,
      clusterOutReservation,
      clusterOutMinutes,
      clusterInReservation,
      clusterInMinutes,
      heartbeat,
      checkInterval,
      maxDrain,
      standaloneGrace,
    } = declareDrainVariables(this);

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
    new ScalingAlarms(this, {
      ids: { high: 'task-cpu-high', low: 'task-cpu-low' },
      alarmNamePrefix: `${service.serviceName}-cpu`,
      metric: {
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions: { ClusterName: clusterName, ServiceName: service.serviceName },
      },
      out: {
        threshold: taskOutCpu,
        minutes: taskOutMinutes,
        variable: 'ecs_drain_task_scale_out_cpu_percent',
        alarmDescription: 'Adds a task: service CPU above the scale-out threshold',
      },
      in: {
        threshold: taskInCpu,
        minutes: taskInMinutes,
        variable: 'ecs_drain_task_scale_in_cpu_percent',
        alarmDescription: 'Removes a task: service CPU below the scale-in threshold',
      },
      policies: taskStepPolicies(this, service.serviceName, scaling.target),
    });

    // ---- Cluster scaling: step scaling on the cluster's CPU reservation ----
    new ScalingAlarms(this, {
      ids: { high: 'cluster-reservation-high', low: 'cluster-reservation-low' },
      alarmNamePrefix: `${clusterName}-cpu-reservation`,
      metric: {
        namespace: 'AWS/ECS',
        metricName: 'CPUReservation',
        dimensions: { ClusterName: clusterName },
      },
      out: {
        threshold: clusterOutReservation,
        minutes: clusterOutMinutes,
        variable: 'ecs_drain_cluster_scale_out_reservation_percent',
        alarmDescription: 'Adds an instance: cluster CPU reservation above the scale-out threshold',
      },
      in: {
        threshold: clusterInReservation,
        minutes: clusterInMinutes,
        variable: 'ecs_drain_cluster_scale_in_reservation_percent',
        alarmDescription:
          'Removes an instance (drained first): cluster CPU reservation below the scale-in threshold',
      },
      policies: instanceStepPolicies(this, asg),
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
