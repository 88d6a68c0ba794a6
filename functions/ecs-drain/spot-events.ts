import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { parseEvent, type Parser } from '../shared/parse';
import { SPOT_SIGNALS, type SpotSignal, type SpotSignalDetailType } from './spot-metric-names';

/** Also interpolated into an ECS cluster-query-language filter: kept strict, like the drain's. */
const Ec2InstanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'EC2 instance id (i-...)');
const DETAIL_TYPES = Object.keys(SPOT_SIGNALS) as [SpotSignalDetailType, ...SpotSignalDetailType[]];

/**
 * What the function needs to tell whether a signal is about an instance of this stack: which signal, and
 * the instance id. Both events carry nothing else of use: no tags, no instance type, no Availability Zone.
 * The `resources` ARN is not read: AWS's own interruption example has "arn:aws:ec2:us-east-2a:instance/..."
 * (a zone where the Region goes, no account), so it is no reliable source of anything.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
 */
const SignalHeaderSchema = z.object({
  source: z.literal('aws.ec2'),
  'detail-type': z.enum(DETAIL_TYPES),
  detail: z.object({ 'instance-id': Ec2InstanceId }),
});

export interface SignalHeader {
  readonly signal: SpotSignal;
  readonly instanceId: string;
}

/** The header of an event from one of the function's two rules; anything else is an InvalidEventError. */
export function parseSignalHeader(event: unknown): SignalHeader {
  const header = parseEvent(
    SignalHeaderSchema,
    event,
    'an EC2 Spot Instance Interruption Warning or Instance Rebalance Recommendation',
  );
  return { signal: SPOT_SIGNALS[header['detail-type']], instanceId: header.detail['instance-id'] };
}

interface DetailsEvent {
  readonly id: string;
  readonly time: string;
  readonly detail: { readonly 'instance-action'?: string };
}

/**
 * The rest of the event, judged only once the instance is known to be this stack's: the EventBridge envelope
 * (id and time for the log) and, for an interruption warning, `instance-action` (hibernate, stop or
 * terminate, per the page above; kept as text: the function only logs it).
 */
const DETAILS_SCHEMAS: Readonly<Record<SpotSignal, Parser<DetailsEvent>>> = {
  InterruptionWarning: EventBridgeSchema.extend({
    detail: z.object({ 'instance-action': z.string().min(1) }),
  }),
  RebalanceRecommendation: EventBridgeSchema.extend({ detail: z.object({}) }),
};

export interface SignalDetails {
  readonly eventId: string;
  readonly eventTime: string;
  readonly instanceAction?: string;
}

export function parseSignalDetails(event: unknown, signal: SpotSignal): SignalDetails {
  const parsed = parseEvent(DETAILS_SCHEMAS[signal], event, `a complete ${signal} event`);
  const detail = parsed.detail;
  return {
    eventId: parsed.id,
    eventTime: parsed.time,
    ...(detail['instance-action'] !== undefined
      ? { instanceAction: detail['instance-action'] }
      : {}),
  };
}
