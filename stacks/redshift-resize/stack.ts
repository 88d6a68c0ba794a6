import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Alerts } from '../platform/alerts';
import { redshiftDashboard } from './dashboard';
import { policyDocument, type PolicyStatement } from '../platform/iam';
import { NodeFunction } from '../platform/node-function';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';
import { encryptedTopicGrant, platformGrant } from '../platform/platform-grants';
import { ServiceRole } from '../platform/service-role';
import { stateMachineSdkStatements } from './asl';
import { growthBlockedAlarms, nodeDiskAlarm } from './alarms';
import { spliceResources } from '../platform/policy-splice';
import { resizeTrigger } from './trigger';
import { declareVariables, PHASE_TIMEOUT_VARIABLES, V } from './variables';
import {
  CLASSIC_RESIZE_MIN_PHASE_SECONDS,
  maxReplicationPauseExpression,
  resolveWorkflow,
  workflowDefinition,
  type ResizeWorkflowProps,
} from './workflow';

export const STATE_MACHINE_SUBJECT = 'redshift-resize-state-machine';
const GUARD_ASSET = 'redshift-resize-guard';
const REPLICATION_ASSET = 'redshift-resize-replication';
const RESIZE_ASSET = 'redshift-resize-resize';
/** Placeholder for the DMS task resources in the replication policy, replaced by a Terraform list expression. */
export const TASK_RESOURCES_PLACEHOLDER = 'REPLICATION_TASK_RESOURCES';

export interface RedshiftResizeStackProps extends OpsStackProps {
  /**
   * Poll intervals, execution timeout floor and snapshot retention of the state machine (the phase
   * timeouts are Terraform variables).
   * @default see ResizeWorkflowProps (polls every 30/60/300/30 s for stop/snapshot/resize/resume, at least 48 h, 35 days)
   */
  readonly workflow?: ResizeWorkflowProps;
}

/**
 * Redshift resize: an alarm on PercentageDiskSpaceUsed publishes to the stack's alerts topic; the trigger
 * (subscribed to ALARM transitions of that alarm only) starts the state machine, which pauses the DMS tasks
 * replicating into the cluster, snapshots, resizes, resumes them and notifies the same topic.
 * One state machine per cluster: a second cluster is a second deployment (another name_prefix).
 */
export class RedshiftResizeStack extends OpsStack {
  constructor(scope: Construct, id: string, props: RedshiftResizeStackProps) {
    super(scope, id, props);
    const workflow = resolveWorkflow(props.workflow);
    const v = declareVariables(this, workflow);

    const clusterId = v.clusterId.stringValue;
    const clusterArn = this.arn('redshift', `cluster:${clusterId}`);
    const resizeSnapshots = this.arn('redshift', `snapshot:${clusterId}/resize-*`);
    const stateMachineName = this.name('redshift-resize');
    const stateMachineArn = this.arn('states', `stateMachine:${stateMachineName}`);
    const diskAlarmName = this.name('redshift-disk-space');
    // The alarm whose ALARM state starts runs: the disk alarm, or the operator's ("alarm"); with "none" the
    // trigger ignores every alarm, so the name stays the disk alarm's.
    // Inside an expression cdktf renders references bare, so the nested template spells out its `${}`.
    const triggerAlarmName = `var.${V.trigger} == "alarm" ? var.${V.triggerAlarmName} : "\${${this.namePrefix}}-redshift-disk-space"`;

    // One topic: the disk alarm, the workflow's notifications and the operational alarms all go to the
    // alerts topic (KMS-encrypted, alert_email subscribed); the trigger's subscription filters it down to
    // ALARM transitions of the disk alarm.
    const alerts = new Alerts(this, 'alerts');
    const topicArn = alerts.topicArn;

    // ---- functions ----
    const { trigger, failures: triggerFailures } = resizeTrigger(this, {
      alerts,
      stateMachineArn,
      clusterId,
      alarmNameExpression: triggerAlarmName,
      trigger: v.trigger.stringValue,
      recheckMinutes: v.recheckMinutes.stringValue,
    });

    const guard = new NodeFunction(this, 'guard', {
      asset: GUARD_ASSET,
      name: GUARD_ASSET,
      description:
        'Decides whether and how far the Redshift cluster may be resized, and reports the disk usage (reads only)',
      timeoutSeconds: 60,
      environment: {
        CLUSTER_ID: clusterId,
        MAX_NODE_COUNT: v.maxNodeCount.stringValue,
        RESIZE_FACTOR: v.resizeFactor.stringValue,
        RESIZE_TYPE: v.resizeType.stringValue,
        COOLDOWN_MINUTES: v.cooldownMinutes.stringValue,
        MAX_RESIZES_PER_DAY: v.maxResizesPerDay.stringValue,
        CONCURRENCY_SCALING_MAX_NODES: v.concurrencyScalingMaxNodes.stringValue,
        TARGET_DISK_PERCENT: v.targetDiskPercent.stringValue,
        RA3_NODE_TYPE: v.ra3NodeType.stringValue,
        DRY_RUN: `\${var.${V.dryRun}}`,
        TRIGGER: v.trigger.stringValue,
      },
      statements: [
        {
          sid: 'ReadCluster',
          actions: ['redshift:DescribeClusters', 'redshift:DescribeResize'],
          resources: [clusterArn],
        },
        {
          sid: 'ReadResizeEvents',
          actions: ['redshift:DescribeEvents'],
          resources: ['*'],
          wildcardReason: 'redshift:DescribeEvents supports no resource-level permissions.',
        },
        {
          // The target size from the storage needed (functions/redshift-resize/sizing.ts).
          // Its resource type "cluster" is optional: the request names the cluster, so the grant can
          // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html).
          sid: 'ReadResizeOptions',
          actions: ['redshift:DescribeNodeConfigurationOptions'],
          resources: [clusterArn],
        },
        {
          // PercentageDiskSpaceUsed before the resize and after it, for the notifications.
          sid: 'ReadDiskUsage',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
          wildcardReason:
            'cloudwatch:GetMetricData supports no resource-level permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).',
        },
      ],
    });

    const replication = new NodeFunction(this, 'replication', {
      asset: REPLICATION_ASSET,
      name: REPLICATION_ASSET,
      description:
        'Selects, pauses and resumes the DMS tasks replicating into the Redshift cluster',
      timeoutSeconds: 60,
      environment: {
        REPLICATION_TASK_ARNS: `\${jsonencode(var.${V.taskArns})}`,
        TARGET_ENDPOINT_ARN: v.targetEndpointArn.stringValue,
      },
      statements: [
        {
          sid: 'FindReplicationTasks',
          actions: ['dms:DescribeReplicationTasks'],
          resources: ['*'],
          wildcardReason: 'dms:DescribeReplicationTasks supports no resource-level permissions.',
        },
        {
          sid: 'PauseAndResumeReplicationTasks',
          actions: ['dms:StopReplicationTask', 'dms:StartReplicationTask'],
          resources: [TASK_RESOURCES_PLACEHOLDER],
        },
      ],
    });
    // List mode: exactly the listed tasks. Endpoint mode: the tasks are found at run time, so any task of
    // the account and region. The list variable is spliced in whole, so the plan shows the policy whole.
    // Inside an expression cdktf renders references bare, so the nested template spells out its `${}`.
    const everyTask = `arn:\${${this.partition}}:dms:\${${this.region}}:\${${this.accountId}}:task:*`;
    replication.policy.policy = spliceResources(
      policyDocument(replication.statements),
      TASK_RESOURCES_PLACEHOLDER,
      `jsonencode(length(var.${V.taskArns}) > 0 ? var.${V.taskArns} : ["${everyTask}"])`,
    );

    const resize = new NodeFunction(this, 'resize', {
      asset: RESIZE_ASSET,
      name: RESIZE_ASSET,
      description: 'Starts the Redshift resize (idempotently) and reports its progress',
      timeoutSeconds: 60,
      environment: { CLUSTER_ID: clusterId },
      statements: [
        {
          sid: 'ResizeOnlyThisCluster',
          actions: [
            'redshift:DescribeClusters',
            'redshift:DescribeResize',
            'redshift:ResizeCluster',
          ],
          resources: [clusterArn],
        },
      ],
    });

    // ---- the state machine ----
    const logGroup = new CloudwatchLogGroup(this, 'state-machine-logs', {
      // The vended-logs prefix keeps the account's CloudWatch Logs resource policy small.
      name: `/aws/vendedlogs/states/${stateMachineName}`,
      retentionInDays: this.logRetentionDays,
    });
    const functionArns = [guard.arn, replication.arn, resize.arn];
    const statements: PolicyStatement[] = [
      {
        sid: 'InvokeWorkflowFunctions',
        actions: ['lambda:InvokeFunction'],
        // Task states name the unqualified function ARNs: no version or alias (`:*`) is ever invoked.
        // https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
        resources: functionArns,
      },
      ...stateMachineSdkStatements({
        cluster: [clusterArn],
        snapshot: [clusterArn, resizeSnapshots],
        topic: [topicArn],
      }),
      // The key's id is known only after apply; its alias is built from variables.
      encryptedTopicGrant({
        sid: 'EncryptNotifications',
        keyArnPattern: this.arn('kms', 'key/*'),
        region: this.region,
        keyAlias: alertsKeyAlias(this),
      }),
      platformGrant('state-machine-log-delivery', {
        sid: 'DeliverExecutionLogs',
        resources: ['*'],
        wildcardReason:
          'CloudWatch Logs vended-log delivery actions support no resource-level permissions.',
      }),
    ];
    const stateMachineRole = new ServiceRole(this, {
      name: this.name('redshift-resize-state-machine'),
      service: 'states.amazonaws.com',
      // Only this account's state machines may assume it (confused-deputy guard).
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'states.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': this.accountId },
              ArnLike: { 'aws:SourceArn': this.arn('states', 'stateMachine:*') },
            },
          },
        ],
      }),
      policyName: 'least-privilege',
      statements,
      iamSubject: STATE_MACHINE_SUBJECT,
      ids: { role: 'state-machine-role', policy: 'state-machine-policy' },
    });

    const definition = workflowDefinition(
      { guard: guard.arn, replication: replication.arn, resize: resize.arn, topic: topicArn },
      workflow,
      PHASE_TIMEOUT_VARIABLES,
    );
    const preconditions = [
      {
        condition: `\${(length(var.${V.taskArns}) > 0) != (var.${V.targetEndpointArn} != "")}`,
        errorMessage: `Set exactly one of ${V.taskArns} (a non-empty list) and ${V.targetEndpointArn}.`,
      },
      {
        condition: `\${var.${V.resizeType} != "classic" || var.${V.resizeTimeout} >= ${CLASSIC_RESIZE_MIN_PHASE_SECONDS}}`,
        errorMessage: `${V.resizeType} "classic" needs ${V.resizeTimeout} of at least ${CLASSIC_RESIZE_MIN_PHASE_SECONDS} s. Raise it (and the Aurora binlog retention with it).`,
      },
      {
        condition: `\${var.${V.targetDiskPercent} < var.${V.diskThreshold}}`,
        errorMessage: `${V.targetDiskPercent} must be below ${V.diskThreshold}: a resize must leave the disk alarm.`,
      },
      {
        condition: `\${(var.${V.trigger} == "alarm") == (var.${V.triggerAlarmName} != "")}`,
        errorMessage: `${V.trigger} "alarm" needs ${V.triggerAlarmName} (the alarm that starts runs), and only "alarm" takes one.`,
      },
      {
        // Once the cluster is RA3 the guard refuses the disk trigger (DISK_TRIGGER_ON_RA3), so the pair is
        // refused here, where the operator sets it, and not first found as silent skips after the change.
        condition: `\${var.${V.trigger} != "disk" || var.${V.ra3NodeType} == ""}`,
        errorMessage: `${V.trigger} is "\${var.${V.trigger}}" with ${V.ra3NodeType} "\${var.${V.ra3NodeType}}": after the change to RA3 the disk alarm cannot start a run (PercentageDiskSpaceUsed is a share of the managed storage quota there). Set ${V.trigger} to "alarm" with ${V.triggerAlarmName} (e.g. a CPU or queue-wait alarm), or "none" and start the change by hand.`,
      },
    ];
    const stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: stateMachineName,
      type: 'STANDARD',
      roleArn: stateMachineRole.role.arn,
      definition,
      loggingConfiguration: {
        logDestination: `${logGroup.arn}:*`,
        level: 'ERROR',
        includeExecutionData: false,
      },
      tracingConfiguration: { enabled: false },
      lifecycle: { precondition: preconditions },
      // The role must be able to invoke, snapshot and log before the first execution.
      dependsOn: [stateMachineRole.policy],
    });

    // ---- the alarm and the trigger's subscription ----
    alerts.alarm('disk-space', {
      alarmName: diskAlarmName,
      alarmDescription: `Redshift ${clusterId} PercentageDiskSpaceUsed at or above the threshold: starts ${stateMachineName}`,
      namespace: 'AWS/Redshift',
      metricName: 'PercentageDiskSpaceUsed',
      dimensions: { ClusterIdentifier: clusterId },
      statistic: 'Average',
      period: 300,
      evaluationPeriods: v.diskPeriods.numberValue,
      threshold: v.diskThreshold.numberValue,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      // A gap in the metric (e.g. while the cluster resizes) keeps the state: no OK -> ALARM flapping.
      treatMissingData: 'missing',
    });

    nodeDiskAlarm(alerts, {
      alarmName: this.name('redshift-disk-space-node'),
      clusterId,
      thresholdVariable: V.nodeDiskThreshold,
      periodsVariable: V.diskPeriods,
    });

    // ---- operational alarms ----
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      alerts.alarm(`state-machine-${metric}`, {
        alarmName: `${stateMachineName}-${metric}`,
        alarmDescription:
          metric === 'ExecutionsFailed'
            ? `${stateMachineName}: an execution failed (its notification names the cause)`
            : `${stateMachineName}: an execution ended without running its recovery; resume the DMS tasks in its $.replication.taskArns by hand`,
        namespace: 'AWS/States',
        metricName: metric,
        dimensions: { StateMachineArn: stateMachineArn },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
    growthBlockedAlarms(alerts, guard, stateMachineName);
    alerts.functionErrors('trigger-errors', trigger);
    alerts.functionErrors('guard-errors', guard);
    alerts.functionErrors('replication-errors', replication);
    alerts.functionErrors('resize-errors', resize);
    alerts.queueNotEmpty('trigger-failures-not-empty', triggerFailures.name);
    redshiftDashboard(this, {
      trigger,
      guard,
      replication,
      resize,
      stateMachineArn,
      clusterId,
      diskThresholdPercent: v.diskThreshold.numberValue,
      nodeDiskThresholdPercent: v.nodeDiskThreshold.numberValue,
      triggerFailureQueueName: triggerFailures.name,
    });

    new TerraformOutput(this, 'state_machine_arn', {
      value: stateMachine.arn,
      description: 'The resize workflow (one per cluster).',
    });
    new TerraformOutput(this, 'topic_arn', {
      value: alerts.topic.arn,
      description:
        'The alerts topic: disk alarm, resize notifications and operational alarms (subscribe here).',
    });
    new TerraformOutput(this, 'max_replication_pause_seconds', {
      value: `\${${maxReplicationPauseExpression(PHASE_TIMEOUT_VARIABLES)}}`,
      description:
        'Longest time a run can keep DMS paused; Aurora binlog retention must outlast it (README).',
    });
    new TerraformOutput(this, 'trigger_failure_queue_url', { value: triggerFailures.queue.url });
  }
}

/** The alias the Alerts construct gives the stack's key (alias/<name_prefix>-<stack>). */
function alertsKeyAlias(stack: OpsStack): string {
  return `alias/${stack.name(stack.stackName)}`;
}
