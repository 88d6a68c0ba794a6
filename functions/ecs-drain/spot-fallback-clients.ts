import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { clientConfig } from '../shared/aws';
import { neverRetryBlindly, OutcomeUnknownError } from '../shared/never-retry-blindly';

/** UpdateService got no answer (or a 5xx): it may have been applied; the caller reads the service back. */
export class ShiftOutcomeUnknownError extends OutcomeUnknownError {}

/**
 * UpdateService takes no client token
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html), and with
 * forceNewDeployment it starts a deployment each time it is applied, so the SDK may retry it only when ECS
 * refused it (throttling, 4xx); an unknown outcome becomes ShiftOutcomeUnknownError, which is not retried.
 */
export function neverRetryShiftBlindly(client: ECSClient): ECSClient {
  return neverRetryBlindly(client, {
    commands: ['UpdateServiceCommand'],
    outcomeUnknown: ShiftOutcomeUnknownError,
  });
}

/** SDK standard retry (SNS throttling included). `overrides` is for tests. */
export function createSnsClient(overrides: SNSClientConfig = {}): SNSClient {
  return new SNSClient({ ...clientConfig(), ...overrides });
}
