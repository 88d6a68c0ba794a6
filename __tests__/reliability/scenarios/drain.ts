import { createHash } from 'node:crypto';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { DRAIN_METRICS } from '../../../functions/ecs-drain/metric-names';
import { arn } from '../../support/deployment';
import { DRAIN_NAMES } from '../../ecs-autoscaling-drain/fixtures/env';
import {
  NOTIFICATION_TIME_MS,
  snsEvent,
  TERMINATING_MESSAGE,
} from '../../ecs-autoscaling-drain/fixtures/events';
import { DrainWorld, type DrainMocks } from '../../ecs-autoscaling-drain/fixtures/world';
import { AnswerBook } from '../harness/answers';
import type { Scenario } from '../harness/matrix';
import { QueueModel, type Delivery, type Handler } from '../harness/platform';

/**
 * One drain: the terminating notification through SNS (an asynchronous invocation), then the re-check chain
 * through the checks queue (its visibility timeout and maxReceiveCount as the stack deploys them). The service
 * scheduler moves the two service tasks once the instance drains; they stop one check later (two checks).
 * Final state: the lifecycle action's completions, the instance's status, the tasks' desired statuses, and the
 * outcome metric (recorded once), the re-checks still queued (none) and the most messages that acted on one
 * check (one: one chain).
 *
 * "One chain" is judged by what the messages do, not by how many the queue holds: on a standard queue a
 * SendMessage whose reply was lost and is retried queues a second copy (deduplication ids are for FIFO queues
 * only, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), and SQS
 * itself may deliver a message more than once
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
 * So no handler can keep the queue at one message; it can make every copy but one a no-op. A delivery
 * "acted" when its invocation made a wire call after the ledger claim (its first call); a redelivery of the
 * same message (after a failure) is the same message, not a second chain.
 */
export function drainScenario(
  handler: () => Handler,
  queue: { readonly visibilitySeconds: number; readonly maxReceiveCount: number },
): Scenario {
  let world: DrainWorld;
  let sqs: AnswerBook;
  let checks: QueueModel;
  let deliveries: readonly Delivery[];
  return {
    name: 'ecs-drain-drain',
    start: new Date(NOTIFICATION_TIME_MS + 5_000),
    operations: [
      'ECSClient.ListContainerInstances',
      'ECSClient.DescribeContainerInstances',
      'ECSClient.UpdateContainerInstancesState',
      'ECSClient.ListTasks',
      'ECSClient.DescribeTasks',
      'AutoScalingClient.CompleteLifecycleAction',
      'SQSClient.SendMessage',
      'DynamoDBClient.UpdateItem',
    ],
    async prepare(wire) {
      const ecs = new AnswerBook();
      const autoScaling = new AnswerBook();
      sqs = new AnswerBook();
      // The drain ledger's table (one record per lifecycle action).
      const ddb = new AnswerBook();
      world = new DrainWorld({ ecs, autoScaling, sqs, ddb } as unknown as DrainMocks);
      const instance = world.addInstance();
      world.addServiceTask('t1', 'web', instance);
      world.addServiceTask('t2', 'web', instance);
      // Over the wire the SDK checks MD5OfMessageBody (the unit tests' mock skips that): answer the real one.
      let sent = 0;
      sqs.on(SendMessageCommand).callsFake((input: SendMessageCommandInput) => ({
        MessageId: `sent-${++sent}`,
        MD5OfMessageBody: createHash('md5')
          .update(input.MessageBody ?? '')
          .digest('hex'),
      }));
      checks = new QueueModel(queue);
      wire
        .serve(ECSClient, ecs)
        .serve(AutoScalingClient, autoScaling)
        .serve(SQSClient, sqs)
        .serve(DynamoDBClient, ddb);
    },
    async run(platform) {
      await platform.invokeAsync('drain', handler(), snsEvent(TERMINATING_MESSAGE));
      const sends = () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0]);
      deliveries = await platform.invokeQueue(
        'check',
        handler(),
        checks,
        { arn: arn('sqs', DRAIN_NAMES.queue), sends },
        () => {
          // Before the first check the scheduler moves the tasks; before the second they have stopped.
          if (!world.instances.some((i) => i.status === 'DRAINING')) return;
          if (world.tasks.some((t) => t.lastStatus === 'DEACTIVATING')) world.stoppingTasksFinish();
          else world.serviceSchedulerMovesTasks();
        },
      );
    },
    state(platform) {
      return {
        completions: world.completions.map((c) => c.LifecycleActionResult),
        openActions: world.openActions.size,
        instances: world.instances.map((i) => i.status),
        tasks: world.tasks.map((t) => `${t.desiredStatus}/${t.lastStatus}`),
        outcomes: platform.metrics
          .filter((m) => m.name === DRAIN_METRICS.outcome)
          .reduce((n, m) => n + m.value, 0),
        queued: checks.messages.length,
        // One drain, one chain: a forked chain has two messages acting on the same check.
        messagesActingOnACheck: mostActingOnACheck(deliveries),
      };
    },
  };
}

/** The most distinct messages whose delivery went past the ledger claim for one check number. */
export function mostActingOnACheck(deliveries: readonly Delivery[]): number {
  const acting = new Map<number, Set<string>>();
  for (const d of deliveries) {
    if (d.calls <= 1) continue;
    const check = (JSON.parse(d.body) as { check: number }).check;
    acting.set(check, (acting.get(check) ?? new Set()).add(d.id));
  }
  return Math.max(0, ...[...acting.values()].map((ids) => ids.size));
}
