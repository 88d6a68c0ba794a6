import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunctionRecursionConfig } from '@cdktf/provider-aws/lib/lambda-function-recursion-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import type { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import type { Alerts } from '../platform/alerts';
import type { FailureQueue } from '../platform/failure-queue';
import type { PolicyStatement } from '../platform/iam';
import { NodeFunction } from '../platform/node-function';
import { OpsStack } from '../platform/ops-stack';
import { encryptedTopicGrant, platformGrant } from '../platform/platform-grants';
import { ServiceRole } from '../platform/service-role';

/** The drain function's timeout: one check is 6-10 API calls. */
export const DRAIN_FUNCTION_TIMEOUT_SECONDS = 60;
/** Re-check queue visibility timeout: six times the function timeout, as Lambda recommends for SQS sources. */
export const CHECK_QUEUE_VISIBILITY_SECONDS = 6 * DRAIN_FUNCTION_TIMEOUT_SECONDS;
/** Margin on top of a check interval plus a failed check's retry that a heartbeat timeout must leave. */
const HEARTBEAT_MARGIN_SECONDS = 60;
/** Value of POWERTOOLS_SERVICE_NAME, and the `service` dimension of the drain's metrics. */
export const DRAIN_SERVICE_NAME = 'ecs-drain';
/** The IAM proof's name for the lifecycle hook's role (Auto Scaling's own calls: platform grants only). */
export const DRAIN_HOOK_SUBJECT = 'ecs-drain-hook';

export interface DrainHookProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly asg: EcsAutoScalingGroup;
  /** Its KMS key encrypts the lifecycle topic. */
  readonly alerts: Alerts;
  /** Failed invocations and re-checks that keep failing land here. */
  readonly failures: FailureQueue;
  /** The variables of the drain (ecs_drain_*): seconds. */
  readonly heartbeat: number;
  readonly checkInterval: number;
  readonly maxDrain: number;
  readonly standaloneGrace: number;
  readonly agentDisconnectedGrace: number;
}

/**
 * Drain on scale-in: the group's terminating lifecycle hook -> SNS topic -> drain function, which sets the
 * container instance DRAINING and re-checks itself through a delayed SQS queue until the instance's tasks
 * have stopped, then completes the lifecycle action. Not a Construct: its resources are added to `scope`,
 * keeping the addresses the stack had with them inline.
 */
export class DrainHook {
  readonly drain: NodeFunction;
  readonly checks: SqsQueue;
  /** Built from inputs, known at plan time. */
  readonly checksName: string;
  readonly topic: SnsTopic;

  constructor(scope: Construct, props: DrainHookProps) {
    const stack = OpsStack.of(scope);
    this.checksName = stack.name('ecs-drain-checks');
    const checks = (this.checks = new SqsQueue(scope, 'drain-checks', {
      name: this.checksName,
      // Standard, not FIFO: each check sets its own DelaySeconds, which FIFO queues do not allow.
      delaySeconds: 0,
      visibilityTimeoutSeconds: CHECK_QUEUE_VISIBILITY_SECONDS,
      // Longer than the longest drain (48 h) plus an hour.
      messageRetentionSeconds: 4 * 86400,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: props.failures.queue.arn,
        maxReceiveCount: 5,
      }),
    }));
    const checksArn = stack.arn('sqs', this.checksName);

    // One entry per drain: which message holds which check, and whether the outcome was recorded, so
    // duplicate sends and lost replies neither fork the chain nor lose or repeat the outcome.
    const ledgerName = stack.name('ecs-drain-ledger');
    new DynamodbTable(scope, 'drain-ledger', {
      name: ledgerName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'action_token',
      attribute: [{ name: 'action_token', type: 'S' }],
      ttl: { attributeName: 'ttl', enabled: true },
      serverSideEncryption: { enabled: true },
    });

    const clusterArn = props.clusterArn;
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
        resources: [stack.arn('ecs', `container-instance/${props.clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'InspectAndStopTasksOfCluster',
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [stack.arn('ecs', `task/${props.clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'LifecycleActionsOfGroup',
        actions: [
          'autoscaling:CompleteLifecycleAction',
          'autoscaling:RecordLifecycleActionHeartbeat',
        ],
        resources: [props.asg.arnPattern],
      },
      { sid: 'QueueNextCheck', actions: ['sqs:SendMessage'], resources: [checksArn] },
      {
        sid: 'DrainLedger',
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [stack.arn('dynamodb', `table/${ledgerName}`)],
      },
      platformGrant('queue-polling', { sid: 'ReceiveChecks', resources: [checksArn] }),
    ];
    const drain = (this.drain = new NodeFunction(scope, 'drain', {
      asset: 'ecs-drain-drain',
      name: 'ecs-drain',
      description: 'Drains an ECS container instance before Auto Scaling terminates it',
      timeoutSeconds: DRAIN_FUNCTION_TIMEOUT_SECONDS,
      memoryMb: 256,
      onFailure: props.failures.destination,
      environment: {
        CLUSTER_NAME: props.clusterName,
        CHECK_QUEUE_URL: checks.url,
        CHECK_INTERVAL_SECONDS: Token.asString(props.checkInterval),
        MAX_DRAIN_SECONDS: Token.asString(props.maxDrain),
        STANDALONE_TASK_GRACE_SECONDS: Token.asString(props.standaloneGrace),
        AGENT_DISCONNECTED_GRACE_SECONDS: Token.asString(props.agentDisconnectedGrace),
        LEDGER_TABLE_NAME: ledgerName,
        POWERTOOLS_SERVICE_NAME: DRAIN_SERVICE_NAME,
      },
      statements: drainStatements,
    }));
    // The function queues its own re-checks: Lambda's loop detection would stop a drain after ~16 checks.
    new LambdaFunctionRecursionConfig(scope, 'drain-recursion', {
      functionName: drain.function.functionName,
      recursiveLoop: 'Allow',
    });
    new LambdaEventSourceMapping(scope, 'drain-checks-source', {
      functionName: drain.function.arn,
      eventSourceArn: checks.arn,
      batchSize: 5,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: 5 },
      dependsOn: [drain.policy],
    });

    const topicName = stack.name('ecs-drain-lifecycle');
    const topic = (this.topic = new SnsTopic(scope, 'drain-lifecycle', {
      name: topicName,
      kmsMasterKeyId: props.alerts.key.arn,
    }));
    const topicArn = stack.arn('sns', topicName);
    const invoke = new LambdaPermission(scope, 'drain-invoke', {
      statementId: 'AllowLifecycleTopic',
      action: 'lambda:InvokeFunction',
      functionName: drain.function.functionName,
      principal: 'sns.amazonaws.com',
      sourceArn: topic.arn,
    });
    const subscription = new SnsTopicSubscription(scope, 'drain-subscription', {
      topicArn: topic.arn,
      protocol: 'lambda',
      endpoint: drain.function.arn,
    });

    const hookStatements: PolicyStatement[] = [
      platformGrant('lifecycle-notification', { sid: 'NotifyDrain', resources: [topicArn] }),
      // The key's ARN is only known after apply; its alias is known from the inputs.
      encryptedTopicGrant({
        sid: 'EncryptForTopic',
        actionOrder: ['kms:Decrypt', 'kms:GenerateDataKey'],
        keyArnPattern: stack.arn('kms', 'key/*'),
        region: stack.region,
        keyAlias: `alias/${stack.name(stack.stackName)}`,
      }),
    ];
    const hookRole = new ServiceRole(scope, {
      name: stack.name('ecs-drain-hook'),
      description: 'Auto Scaling lifecycle hook: notifies the drain topic',
      service: 'autoscaling.amazonaws.com',
      policyName: 'notify-drain',
      statements: hookStatements,
      ids: { role: 'hook-role', policy: 'hook-policy' },
      iamSubject: DRAIN_HOOK_SUBJECT,
    });
    new AutoscalingLifecycleHook(scope, 'drain-hook', {
      name: stack.name('ecs-drain'),
      autoscalingGroupName: props.asg.group.name,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      defaultResult: 'CONTINUE',
      heartbeatTimeout: props.heartbeat,
      notificationTargetArn: topic.arn,
      roleArn: hookRole.role.arn,
      // Creating the hook publishes a test notification: the role and the subscription must exist.
      dependsOn: [hookRole.policy, subscription, invoke],
      lifecycle: {
        precondition: [
          {
            condition: `\${${Token.asString(props.heartbeat)} >= ${Token.asString(props.checkInterval)} + ${CHECK_QUEUE_VISIBILITY_SECONDS + HEARTBEAT_MARGIN_SECONDS}}`,
            errorMessage: `ecs_drain_heartbeat_timeout_seconds (${Token.asString(props.heartbeat)}) must be at least ecs_drain_check_interval_seconds (${Token.asString(props.checkInterval)}) + ${CHECK_QUEUE_VISIBILITY_SECONDS} (a failed check's retry) + ${HEARTBEAT_MARGIN_SECONDS}.`,
          },
          {
            condition: `\${${Token.asString(props.maxDrain)} <= 100 * ${Token.asString(props.heartbeat)}}`,
            errorMessage: `ecs_drain_max_seconds (${Token.asString(props.maxDrain)}) must be at most 100 x ecs_drain_heartbeat_timeout_seconds (${Token.asString(props.heartbeat)}): Auto Scaling ends a wait after 100 heartbeat timeouts.`,
          },
          {
            condition: `\${${Token.asString(props.standaloneGrace)} <= ${Token.asString(props.maxDrain)}}`,
            errorMessage: `ecs_drain_standalone_grace_seconds (${Token.asString(props.standaloneGrace)}) must not exceed ecs_drain_max_seconds (${Token.asString(props.maxDrain)}).`,
          },
          {
            condition: `\${${Token.asString(props.agentDisconnectedGrace)} <= ${Token.asString(props.maxDrain)}}`,
            errorMessage: `ecs_drain_agent_disconnected_grace_seconds (${Token.asString(props.agentDisconnectedGrace)}) must not exceed ecs_drain_max_seconds (${Token.asString(props.maxDrain)}).`,
          },
        ],
      },
    });
  }
}
