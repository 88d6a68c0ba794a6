import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { parseEvent, parseOwnSchedule } from '../shared/parse';

/**
 * The ECS service action event the fallback rule forwards, as documented (detail-type "ECS Service Action",
 * `resources` = the service ARN, `detail.eventName`; `capacityProviderArns` and `reason` vary by event):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
 */
export const PLACEMENT_FAILURE = 'SERVICE_TASK_PLACEMENT_FAILURE';
const ServiceActionSchema = EventBridgeSchema.extend({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Service Action'),
  resources: z.array(z.string()),
  detail: z.object({
    eventName: z.string(),
    capacityProviderArns: z.array(z.string()).optional(),
  }),
});
const SourceSchema = z.object({ source: z.enum(['aws.events', 'aws.ecs']) });

export type FallbackTrigger =
  | { readonly kind: 'schedule' }
  | {
      readonly kind: 'placement-failure';
      readonly eventId: string;
      /** The event names the Spot capacity provider as the one ECS could not place on. */
      readonly spotNamed: boolean;
    }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * What started this run. A scheduled event must come from the function's own rule (else InvalidEventError,
 * before any AWS call). A service action event about another service, or of another kind, is ignored
 * before anything else is judged: the rule already filters both, so one here is a stray delivery.
 */
export function parseTrigger(
  event: unknown,
  own: {
    readonly ruleArn: string;
    readonly cluster: string;
    readonly service: string;
    readonly spotProvider: string;
  },
): FallbackTrigger {
  const { cluster, service } = own;
  const { source } = parseEvent(SourceSchema, event, 'a scheduled event or an ECS Service Action');
  if (source === 'aws.events') {
    parseOwnSchedule(event, own.ruleArn);
    return { kind: 'schedule' };
  }
  const action = parseEvent(ServiceActionSchema, event, 'an ECS Service Action event');
  const ours = action.resources.some((arn) => arn.endsWith(`:service/${cluster}/${service}`));
  if (!ours) return { kind: 'ignored', reason: `about ${action.resources.join(', ')}` };
  if (action.detail.eventName !== PLACEMENT_FAILURE)
    return { kind: 'ignored', reason: `${action.detail.eventName}, not ${PLACEMENT_FAILURE}` };
  const spotNamed = (action.detail.capacityProviderArns ?? []).some((arn) =>
    arn.endsWith(`:capacity-provider/${own.spotProvider}`),
  );
  return { kind: 'placement-failure', eventId: action.id, spotNamed };
}
