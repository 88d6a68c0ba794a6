import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { InvalidEventError } from '../shared/errors';
import { parseEvent } from '../shared/parse';
import {
  type AutoScalingMessage,
  AutoScalingMessageSchema,
  type DrainCheckMessage,
  DrainCheckMessageSchema,
} from './schemas';

/** One notification from the lifecycle hook's topic, with the id SNS gave it (kept on redelivery). */
export interface SnsNotification {
  readonly messageId: string;
  readonly message: AutoScalingMessage;
}

/** The two ways this function is invoked. */
type DrainEvent =
  /** SNS subscription on the lifecycle hook's topic: Auto Scaling lifecycle or test notifications. */
  | { readonly kind: 'sns'; readonly notifications: readonly SnsNotification[] }
  /** SQS event source mapping on the delay queue: this function's own re-checks. */
  | { readonly kind: 'sqs'; readonly event: SQSEvent };

/**
 * The Lambda SNS event, holding only what the drain uses of it: each record's MessageId and Message (JSON of
 * an Auto Scaling message). Signature, SigningCertUrl, UnsubscribeUrl and the rest are neither read nor
 * judged: the Lambda console's sample SNS event carries placeholders there ("EXAMPLE").
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
const SnsNotificationsSchema = z
  .object({
    Records: z
      .array(
        z.object({
          EventSource: z.literal('aws:sns'),
          Sns: z.object({
            MessageId: z.string().min(1),
            Message: JSONStringified(AutoScalingMessageSchema),
          }),
        }),
      )
      .min(1),
  })
  .transform(({ Records }): SnsNotification[] =>
    Records.map((r) => ({ messageId: r.Sns.MessageId, message: r.Sns.Message })),
  );

function firstRecord(event: unknown): Record<string, unknown> | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const records = (event as { Records?: unknown }).Records;
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const first: unknown = records[0];
  return typeof first === 'object' && first !== null
    ? (first as Record<string, unknown>)
    : undefined;
}

/**
 * Validates the whole invocation event before any AWS call: the SNS envelope and every message in it,
 * or the SQS envelope (each re-check body is validated per record, so one bad record fails alone).
 */
export function parseDrainEvent(event: unknown): DrainEvent {
  const first = firstRecord(event);
  if (first?.EventSource === 'aws:sns') {
    const notifications = parseEvent(
      SnsNotificationsSchema,
      event,
      'Auto Scaling notifications over SNS',
    );
    return { kind: 'sns', notifications };
  }
  if (first?.eventSource === 'aws:sqs') {
    parseEvent(SqsSchema, event, 'an SQS event of re-checks');
    return { kind: 'sqs', event: event as SQSEvent };
  }
  throw new InvalidEventError(
    'expected an SNS event (lifecycle hook topic) or an SQS event (re-check queue)',
  );
}

const CheckBodySchema = JSONStringified(DrainCheckMessageSchema);

/** One re-check record's body. */
export function parseCheckRecord(record: SQSRecord): DrainCheckMessage {
  return parseEvent(CheckBodySchema, record.body, `a re-check message in ${record.messageId}`);
}
