import {
  CHECK_QUEUE_VISIBILITY_SECONDS,
  DRAIN_FUNCTION_TIMEOUT_SECONDS,
  DRAIN_SERVICE_NAME,
} from '../../stacks/ecs-autoscaling-drain/drain-hook';
import { P, R, synthDrainStack, text, type Statement } from './fixtures/drain-stack';
import { only } from '../support/synth';

const { json, stack, byId, ref, drainPolicy } = synthDrainStack();
const fn = () => only(json, 'aws_lambda_function');

describe('ecs-autoscaling-drain stack', () => {
  describe('drain on scale-in', () => {
    test('lifecycle hook on termination, notifying the topic through its role, CONTINUE by default', () => {
      expect(only(json, 'aws_autoscaling_lifecycle_hook')).toMatchObject({
        autoscaling_group_name: ref('aws_autoscaling_group', 'asg', 'name'),
        lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        default_result: 'CONTINUE',
        heartbeat_timeout: '${var.ecs_drain_heartbeat_timeout_seconds}',
        notification_target_arn: ref('aws_sns_topic', 'drain-lifecycle', 'arn'),
        role_arn: ref('aws_iam_role', 'hook-role', 'arn'),
        depends_on: expect.arrayContaining([
          'aws_iam_role_policy.hook-policy',
          'aws_sns_topic_subscription.drain-subscription',
          'aws_lambda_permission.drain-invoke',
        ]),
      });
    });

    test('hook preconditions: heartbeat outlasts a check and its retry, max drain and grace fit', () => {
      const conditions = (
        only(json, 'aws_autoscaling_lifecycle_hook').lifecycle as {
          precondition: Array<{ condition: string }>;
        }
      ).precondition.map((p) => p.condition);
      expect(conditions).toEqual([
        `\${var.ecs_drain_heartbeat_timeout_seconds >= var.ecs_drain_check_interval_seconds + ${CHECK_QUEUE_VISIBILITY_SECONDS + 60}}`,
        '${var.ecs_drain_max_seconds <= 100 * var.ecs_drain_heartbeat_timeout_seconds}',
        '${var.ecs_drain_standalone_grace_seconds <= var.ecs_drain_max_seconds}',
        '${var.ecs_drain_agent_disconnected_grace_seconds <= var.ecs_drain_max_seconds}',
      ]);
    });

    test('the hook role may publish to the topic and use the alerts key only through SNS', () => {
      const role = byId('aws_iam_role', 'hook-role');
      expect(JSON.parse(String(role.assume_role_policy)).Statement[0].Principal).toEqual({
        Service: 'autoscaling.amazonaws.com',
      });
      const statements: Statement[] = JSON.parse(
        String(byId('aws_iam_role_policy', 'hook-policy').policy),
      ).Statement;
      expect(statements).toEqual([
        {
          Sid: 'NotifyDrain',
          Effect: 'Allow',
          Action: 'sns:Publish',
          Resource: `${P}:sns:${R}:\${var.name_prefix}-ecs-drain-lifecycle`,
        },
        {
          Sid: 'EncryptForTopic',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: `${P}:kms:${R}:key/*`,
          Condition: {
            StringEquals: { 'kms:ViaService': 'sns.${var.region}.amazonaws.com' },
            'ForAnyValue:StringEquals': {
              'kms:ResourceAliases': 'alias/${var.name_prefix}-ecs-autoscaling-drain',
            },
          },
        },
      ]);
      expect(only(json, 'aws_kms_alias').name).toBe(
        'alias/${var.name_prefix}-ecs-autoscaling-drain',
      );
    });

    test('the topic is encrypted with the alerts key and delivers to the function', () => {
      expect(byId('aws_sns_topic', 'drain-lifecycle').kms_master_key_id).toMatch(
        /^\$\{aws_kms_key\..*\.arn\}$/,
      );
      expect(byId('aws_sns_topic_subscription', 'drain-subscription')).toMatchObject({
        protocol: 'lambda',
        topic_arn: ref('aws_sns_topic', 'drain-lifecycle', 'arn'),
        endpoint: ref('aws_lambda_function', 'drain', 'arn'),
      });
      expect(only(json, 'aws_lambda_permission')).toMatchObject({
        principal: 'sns.amazonaws.com',
        source_arn: ref('aws_sns_topic', 'drain-lifecycle', 'arn'),
      });
    });

    test('function: the drain asset with the environment of its contract', () => {
      expect(fn()).toMatchObject({
        function_name: '${var.name_prefix}-ecs-drain',
        filename: expect.stringMatching(/ecs-drain-drain\.zip$/),
        timeout: DRAIN_FUNCTION_TIMEOUT_SECONDS,
        memory_size: 256,
      });
      expect((fn().environment as { variables: Record<string, string> }).variables).toMatchObject({
        CLUSTER_NAME: '${var.name_prefix}-ecs',
        CHECK_QUEUE_URL: ref('aws_sqs_queue', 'drain-checks', 'url'),
        CHECK_INTERVAL_SECONDS: '${var.ecs_drain_check_interval_seconds}',
        MAX_DRAIN_SECONDS: '${var.ecs_drain_max_seconds}',
        STANDALONE_TASK_GRACE_SECONDS: '${var.ecs_drain_standalone_grace_seconds}',
        AGENT_DISCONNECTED_GRACE_SECONDS: '${var.ecs_drain_agent_disconnected_grace_seconds}',
        LEDGER_TABLE_NAME: '${var.name_prefix}-ecs-drain-ledger',
        POWERTOOLS_SERVICE_NAME: DRAIN_SERVICE_NAME,
      });
    });

    test('function recursion config Allow (its re-check loop through SQS would be cut after ~16 hops)', () => {
      expect(only(json, 'aws_lambda_function_recursion_config')).toEqual({
        function_name: ref('aws_lambda_function', 'drain', 'function_name'),
        recursive_loop: 'Allow',
      });
    });

    test('re-check queue: standard, per-message delays, visibility >= 6 x function timeout, DLQ after 5', () => {
      const queue = byId('aws_sqs_queue', 'drain-checks');
      expect(queue.fifo_queue).toBeUndefined();
      expect(queue).toMatchObject({
        delay_seconds: 0,
        visibility_timeout_seconds: CHECK_QUEUE_VISIBILITY_SECONDS,
        sqs_managed_sse_enabled: true,
      });
      expect(CHECK_QUEUE_VISIBILITY_SECONDS).toBeGreaterThanOrEqual(
        6 * DRAIN_FUNCTION_TIMEOUT_SECONDS,
      );
      expect(Number(queue.message_retention_seconds)).toBeGreaterThanOrEqual(48 * 3600 + 3600);
      expect(JSON.parse(String(queue.redrive_policy))).toEqual({
        deadLetterTargetArn: ref('aws_sqs_queue', 'drain-failures', 'arn'),
        maxReceiveCount: 5,
      });
      expect(byId('aws_sqs_queue', 'drain-failures')).toMatchObject({
        sqs_managed_sse_enabled: true,
        message_retention_seconds: 1209600,
      });
    });

    test('event source: the queue, partial batch responses, small batches', () => {
      expect(only(json, 'aws_lambda_event_source_mapping')).toMatchObject({
        event_source_arn: ref('aws_sqs_queue', 'drain-checks', 'arn'),
        function_name: ref('aws_lambda_function', 'drain', 'arn'),
        function_response_types: ['ReportBatchItemFailures'],
        batch_size: 5,
        maximum_batching_window_in_seconds: 0,
        scaling_config: { maximum_concurrency: 5 },
      });
    });

    test('failed SNS-path invocations go to the DLQ', () => {
      expect(only(json, 'aws_lambda_function_event_invoke_config')).toMatchObject({
        maximum_retry_attempts: 2,
        destination_config: {
          on_failure: {
            destination: `${P}:sqs:${R}:\${var.name_prefix}-ecs-drain-failures`,
          },
        },
      });
    });

    test('function policy: exactly the contract, scoped to the cluster, its group and its queue', () => {
      const cluster = `${P}:ecs:${R}:cluster/\${var.name_prefix}-ecs`;
      const inCluster = { ArnEquals: { 'ecs:cluster': cluster } };
      const queue = `${P}:sqs:${R}:\${var.name_prefix}-ecs-drain-checks`;
      expect(
        drainPolicy().filter((s) => !['WriteOwnLogs', 'OnFailureDestination'].includes(s.Sid)),
      ).toEqual([
        {
          Sid: 'FindContainerInstance',
          Effect: 'Allow',
          Action: 'ecs:ListContainerInstances',
          Resource: cluster,
        },
        {
          Sid: 'DrainContainerInstancesOfCluster',
          Effect: 'Allow',
          Action: [
            'ecs:DescribeContainerInstances',
            'ecs:ListTasks',
            'ecs:UpdateContainerInstancesState',
          ],
          Resource: `${P}:ecs:${R}:container-instance/\${var.name_prefix}-ecs/*`,
          Condition: inCluster,
        },
        {
          Sid: 'InspectAndStopTasksOfCluster',
          Effect: 'Allow',
          Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
          Resource: `${P}:ecs:${R}:task/\${var.name_prefix}-ecs/*`,
          Condition: inCluster,
        },
        {
          Sid: 'LifecycleActionsOfGroup',
          Effect: 'Allow',
          Action: [
            'autoscaling:CompleteLifecycleAction',
            'autoscaling:RecordLifecycleActionHeartbeat',
          ],
          Resource: `${P}:autoscaling:${R}:autoScalingGroup:*:autoScalingGroupName/\${var.name_prefix}-ecs-asg`,
        },
        { Sid: 'QueueNextCheck', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue },
        {
          Sid: 'DrainLedger',
          Effect: 'Allow',
          Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
          Resource: `${P}:dynamodb:${R}:table/\${var.name_prefix}-ecs-drain-ledger`,
        },
        {
          Sid: 'ReceiveChecks',
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          Resource: queue,
        },
      ]);
    });

    test('the event-source permissions are platform statements; the function never publishes to SNS', () => {
      const subject = stack.iamSubjects.find((s) => s.name === 'ecs-drain-drain');
      expect(subject?.statements.find((s) => s.sid === 'ReceiveChecks')?.platform).toBe(
        'queue-polling',
      );
      expect(text(drainPolicy())).not.toContain('sns:');
    });
  });
});
