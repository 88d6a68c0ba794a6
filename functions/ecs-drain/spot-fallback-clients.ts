import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { isThrottlingError } from '@smithy/core/retry';
import { clientConfig } from '../shared/aws';
import { errorText, OpsError } from '../shared/errors';

/**
 * UpdateService got no answer (or a 5xx): it may have been applied; the caller reads the service back. No
 * `cause`: the SDK's retry classifier follows it and would retry; the SDK's error is kept as `sdkError`.
 */
export class ShiftOutcomeUnknownError extends OpsError {
  constructor(
    message: string,
    readonly sdkError: unknown,
  ) {
    super(message);
  }
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * UpdateService with forceNewDeployment starts a deployment each time it is applied, so the SDK may retry it
 * only when ECS refused it (throttling, 4xx); an unknown outcome becomes ShiftOutcomeUnknownError, which the
 * SDK's retry does not retry. Priority 'high' in the deserialize step sits inside the retry middleware and
 * outside the deserializer (see retryAlsoOn in functions/shared/aws.ts).
 */
export function neverRetryShiftBlindly(client: ECSClient): ECSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const status = statusOf(error);
        if (
          context.commandName === 'UpdateServiceCommand' &&
          (status === undefined || status >= 500) &&
          !isThrottlingError(error as Parameters<typeof isThrottlingError>[0])
        )
          throw new ShiftOutcomeUnknownError(
            `UpdateService may have been applied: ${errorText(error)}`,
            error,
          );
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'neverRetryShiftBlindly', override: true },
  );
  return client;
}

/** SDK standard retry (SNS throttling included). `overrides` is for tests. */
export function createSnsClient(overrides: SNSClientConfig = {}): SNSClient {
  return new SNSClient({ ...clientConfig(), ...overrides });
}
