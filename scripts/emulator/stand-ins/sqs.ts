import type { Reply } from '../aws/wire';
import type { StandInModule } from './types';

const JSON_ATTRIBUTES = ['RedrivePolicy', 'RedriveAllowPolicy'];

/** Re-serializes the JSON-valued attributes of a GetQueueAttributes answer without spaces. */
export function compactJsonAttributes(reply: Reply): Reply {
  if (reply.status !== 200 || !reply.body) return reply;
  const body = JSON.parse(reply.body) as { Attributes?: Record<string, string> };
  for (const name of JSON_ATTRIBUTES) {
    const value = body.Attributes?.[name];
    if (value) body.Attributes![name] = JSON.stringify(JSON.parse(value));
  }
  return { ...reply, body: JSON.stringify(body) };
}

/**
 * SQS: moto writes RedrivePolicy as Python's json.dumps does (`{"a": 1}`, with spaces), AWS without, and the
 * AWS provider compares redrive_policy as a string, so a queue with a dead-letter queue drifts on every
 * re-plan. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 */
export function sqsStandIns(): StandInModule {
  return {
    standIns: [],
    fixUps: [
      {
        service: 'sqs',
        operation: 'GetQueueAttributes',
        docs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html',
        fix: (_req, reply) => compactJsonAttributes(reply),
      },
    ],
  };
}
