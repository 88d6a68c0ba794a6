import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import type { Construct } from 'constructs';
import { OpsStack } from './ops-stack';

/** SQS's longest retention: what failed stays for the operator to read. */
const FAILURE_RETENTION_SECONDS = 14 * 86400;

export interface FailureQueueProps {
  /** Name suffix: the queue is `<name_prefix>-<name>`. */
  readonly name: string;
}

/**
 * An encrypted SQS queue that keeps failed invocations or records for 14 days. Not a Construct: the queue
 * is added to `scope` under `id`, so the stacks that had this block inline keep their resource addresses.
 */
export class FailureQueue {
  readonly queue: SqsQueue;
  /** Built from inputs, known at plan time. */
  readonly name: string;
  /** Built from inputs, known at plan time (for policies and destinations). */
  readonly arn: string;
  /** This queue as a function's on-failure destination (NodeFunction's `onFailure`). */
  readonly destination: { readonly arn: string; readonly kind: 'sqs'; readonly resource: SqsQueue };

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    const stack = OpsStack.of(scope);
    this.name = stack.name(props.name);
    this.arn = stack.arn('sqs', this.name);
    this.queue = new SqsQueue(scope, id, {
      name: this.name,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: FAILURE_RETENTION_SECONDS,
    });
    this.destination = { arn: this.arn, kind: 'sqs', resource: this.queue };
  }
}
