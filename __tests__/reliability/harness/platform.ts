import type { Context } from 'aws-lambda';
import { captureEmf, type EmittedMetric } from '../../support/emf';
import type { FakeClock } from './environment';
import type { Wire } from './wire';

/**
 * How AWS delivers events to a function and what it does when one fails, per trigger, as documented:
 * - asynchronous invocation (EventBridge schedules, SNS): two retries, one minute then two minutes later, then
 *   the on-failure destination https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * - DynamoDB stream event source mapping with ReportBatchItemFailures and BisectBatchOnFunctionError: retries
 *   from the lowest failed record, halves a batch whose invocation failed, and after MaximumRetryAttempts sends
 *   the batch to the on-failure destination https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * - SQS event source mapping with ReportBatchItemFailures: a failed message becomes visible again after the
 *   visibility timeout and goes to the dead-letter queue after maxReceiveCount receives
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface Invocation {
  readonly label: string;
  /** How the invocation reported a failure: thrown error, batch item failures, failure metrics. */
  readonly signals: readonly string[];
  readonly threw: boolean;
  readonly failedItems: readonly string[];
  /** Wire calls made during the invocation. */
  readonly calls: number;
}

/** Failure metrics of a handler: a non-zero value is a visible failure. */
export type FailureMetrics = readonly string[];

const context = (name: string): Context =>
  ({
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2024/01/01/[$LATEST]abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export class Platform {
  readonly invocations: Invocation[] = [];
  readonly metrics: EmittedMetric[] = [];
  /** Events and batches the platform gave up on (the on-failure destination / dead-letter queue). */
  readonly deadLetters: Array<{ readonly label: string; readonly event: unknown }> = [];

  constructor(
    readonly wire: Wire,
    readonly clock: FakeClock,
    private readonly failureMetrics: FailureMetrics = [],
  ) {}

  /**
   * One state machine execution, run by `execute`: a failed one is visible, since Step Functions counts it
   * (ExecutionsFailed) and the stacks alarm on it.
   */
  async execution(
    execute: () => Promise<{ readonly status: string; readonly error?: string }>,
  ): Promise<void> {
    const before = this.wire.calls.length;
    const exec = await execute();
    const failed = exec.status !== 'SUCCEEDED';
    this.invocations.push({
      label: 'execution',
      signals: failed ? [`execution ${exec.status}: ${exec.error ?? ''}`] : [],
      threw: failed,
      failedItems: [],
      calls: this.wire.calls.length - before,
    });
  }

  /** One invocation: what it returned or threw, and the metrics it printed. */
  async invoke(label: string, handler: Handler, event: unknown): Promise<Invocation> {
    const before = this.wire.calls.length;
    const run = await captureEmf(() => handler(event, context(label)));
    this.metrics.push(...run.metrics);
    const failedItems = (
      (run.result as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined)
        ?.batchItemFailures ?? []
    ).map((f) => f.itemIdentifier);
    const signals = [
      ...(run.error !== undefined ? [`threw ${errorName(run.error)}`] : []),
      ...(failedItems.length > 0 ? [`batch item failures ${failedItems.join(',')}`] : []),
      ...run.metrics
        .filter((m) => this.failureMetrics.includes(m.name) && m.value > 0)
        .map((m) => `metric ${m.name}=${m.value}`),
    ];
    const invocation = {
      label,
      signals,
      threw: run.error !== undefined,
      failedItems,
      calls: this.wire.calls.length - before,
    };
    this.invocations.push(invocation);
    return invocation;
  }

  /** An asynchronous invocation with Lambda's two retries (1 and 2 minutes apart). */
  async invokeAsync(label: string, handler: Handler, event: unknown): Promise<void> {
    const waits = [0, 60_000, 120_000];
    for (const [attempt, wait] of waits.entries()) {
      this.clock.advance(wait);
      const outcome = await this.invoke(`${label}#${attempt + 1}`, handler, event);
      if (!outcome.threw) return;
    }
    this.deadLetters.push({ label, event });
  }

  /**
   * A DynamoDB stream shard through an event source mapping: batches of `batchSize`, retries from the lowest
   * reported failure (or, when the invocation failed, each half), at most `maxRetries` times per record.
   */
  async invokeStream(
    label: string,
    handler: Handler,
    records: ReadonlyArray<{ eventID?: string; dynamodb?: { SequenceNumber?: string } }>,
    options: { batchSize: number; maxRetries: number },
  ): Promise<void> {
    let pending = [...records];
    let size = options.batchSize;
    const retries = new Map<unknown, number>();
    while (pending.length > 0) {
      const batch = pending.slice(0, size);
      const outcome = await this.invoke(`${label}:${batch.length}`, handler, { Records: batch });
      if (!outcome.threw && outcome.failedItems.length === 0) {
        pending = pending.slice(batch.length);
        size = options.batchSize;
        continue;
      }
      if (!outcome.threw) {
        const from = batch.findIndex((r) =>
          outcome.failedItems.includes(r.dynamodb?.SequenceNumber ?? ''),
        );
        pending = pending.slice(Math.max(0, from));
        size = options.batchSize;
      } else if (batch.length > 1) {
        // BisectBatchOnFunctionError: the first half is retried on its own.
        size = Math.ceil(batch.length / 2);
      }
      const head = pending[0];
      const count = (retries.get(head) ?? 0) + 1;
      retries.set(head, count);
      if (count > options.maxRetries) {
        const given = pending.slice(0, outcome.threw ? size : 1);
        this.deadLetters.push({ label, event: { Records: given } });
        pending = pending.slice(given.length);
        size = options.batchSize;
      }
    }
  }

  /**
   * Delivers a queue's messages until it is empty, moving the clock to each message's visibility and letting
   * the world move on first (`evolve`). Returns each delivery.
   */
  async invokeQueue(
    label: string,
    handler: Handler,
    queue: QueueModel,
    source: { readonly arn: string; readonly sends: () => ReadonlyArray<{ input: unknown }> },
    evolve: () => void = () => undefined,
  ): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    queue.take(source.sends());
    for (let message = queue.next(); message; message = queue.next()) {
      if (deliveries.length > 500) throw new Error(`${label}: the queue never empties`);
      this.clock.advanceTo(message.visibleAt);
      evolve();
      message.receives += 1;
      const outcome = await this.invoke(
        `${label}:${message.id}`,
        handler,
        sqsEventOf(message, source.arn),
      );
      const ok = !outcome.threw && !outcome.failedItems.includes(message.id);
      deliveries.push({ id: message.id, body: message.body, calls: outcome.calls, ok });
      const done = ok || message.receives >= queue.options.maxReceiveCount;
      if (!ok && done) this.deadLetters.push({ label, event: message.body });
      if (done) queue.messages.splice(queue.messages.indexOf(message), 1);
      else message.visibleAt = Date.now() + queue.options.visibilitySeconds * 1000;
      queue.take(source.sends());
    }
    return deliveries;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error);
}

/** One delivery of a queued message: which message, the wire calls its invocation made, whether it failed. */
export interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly calls: number;
  readonly ok: boolean;
}

/** One message of a standard SQS queue, as an event source mapping sees it. */
export interface QueuedMessage {
  readonly id: string;
  readonly body: string;
  visibleAt: number;
  receives: number;
}

/**
 * A standard queue behind an event source mapping with ReportBatchItemFailures: each visible message is
 * delivered (one per invocation: a batch size is an upper bound), a failed one becomes visible again after the
 * visibility timeout, and after maxReceiveCount receives it moves to the dead-letter queue.
 */
export class QueueModel {
  readonly messages: QueuedMessage[] = [];
  /** The most messages the queue held at once (one chain of re-checks never holds more than one). */
  peak = 0;
  private sent = 0;
  private ids = 0;

  constructor(
    readonly options: { readonly visibilitySeconds: number; readonly maxReceiveCount: number },
  ) {}

  /** What the function sent since the last look (SendMessage calls its world applied). */
  take(sends: ReadonlyArray<{ input: unknown }>): void {
    for (const send of sends.slice(this.sent)) {
      const input = send.input as { MessageBody?: string; DelaySeconds?: number };
      this.messages.push({
        id: `msg-${++this.ids}`,
        body: input.MessageBody ?? '',
        visibleAt: Date.now() + (input.DelaySeconds ?? 0) * 1000,
        receives: 0,
      });
    }
    this.sent = sends.length;
    this.peak = Math.max(this.peak, this.messages.length);
  }

  next(): QueuedMessage | undefined {
    return [...this.messages].sort((a, b) => a.visibleAt - b.visibleAt)[0];
  }
}

export function sqsEventOf(message: QueuedMessage, queueArn: string) {
  return {
    Records: [
      {
        messageId: message.id,
        receiptHandle: `${message.id}-${message.receives}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receives),
          SentTimestamp: String(message.visibleAt),
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '0'.repeat(32),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
      },
    ],
  };
}
