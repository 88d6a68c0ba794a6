import { SnsEnvelope } from '@aws-lambda-powertools/parser/envelopes/sns';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidEventError } from '../shared/errors';
import { parseEvent } from '../shared/parse';
import {
  type AutoScalingMessage,
  AutoScalingMessageSchema,
  type DrainCheckMessage,
  DrainCheckMessageSchema,
} from './schemas';

/** The two ways this function is invoked. */
type DrainEvent =
  /** SNS subscription on the lifecycle hook's topic: Auto Scaling lifecycle or test notifications. */
  | { readonly kind: 'sns'; readonly messages: readonly AutoScalingMessage[] }
  /** SQS event source mapping on the delay queue: this function's own re-checks. */
  | { readonly kind: 'sqs'; readonly event: SQSEvent };

/** The SNS envelope, every message in it parsed from JSON as an Auto Scaling message. */
const SnsNotifications = {
  safeParse: (event: unknown) =>
    SnsEnvelope.safeParse(event, JSONStringified(AutoScalingMessageSchema)),
};

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
    const messages = parseEvent(SnsNotifications, event, 'Auto Scaling notifications over SNS');
    return { kind: 'sns', messages };
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
