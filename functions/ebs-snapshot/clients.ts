import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { isThrottlingError } from '@smithy/core/retry';
import { clientConfig, retryAlsoOn } from '../shared/aws';
import { errorText } from '../shared/errors';
import { OutcomeUnknownError } from './errors';

/** EC2 error codes that are throttling but not in the SDK's own list. */
const EC2_EXTRA_THROTTLING_CODES = ['SnapshotCreationPerVolumeRateExceeded'] as const;

/**
 * Create calls without an idempotency token (no request names a ClientToken:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshot.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html): retried by the SDK only
 * when EC2 refused them (throttling).
 */
const NON_IDEMPOTENT_COMMANDS = [
  'CreateSnapshotCommand',
  'CreateSnapshotsCommand',
  'CopySnapshotCommand',
];

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * A failed non-idempotent create whose outcome is unknown (no answer, or 5xx) becomes an
 * OutcomeUnknownError, which the SDK's retry does not retry: the caller checks by tag first.
 * Throttling is a refusal, so it stays retried with backoff. Priority 'high' in the deserialize step
 * sits inside the retry middleware and outside the deserializer (see retryAlsoOn).
 */
function neverRetryBlindly(client: EC2Client): EC2Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const status = statusOf(error);
        const unknown = status === undefined || status >= 500;
        if (
          NON_IDEMPOTENT_COMMANDS.includes(String(context.commandName)) &&
          unknown &&
          !isThrottlingError(error as Parameters<typeof isThrottlingError>[0])
        )
          throw new OutcomeUnknownError(
            `${String(context.commandName).replace(/Command$/, '')} may have been applied: ${errorText(error)}`,
            error,
          );
        throw error;
      }
    },
    {
      step: 'deserialize',
      priority: 'high',
      name: 'neverRetryNonIdempotentBlindly',
      override: true,
    },
  );
  return client;
}

/**
 * The EC2 client both handlers use: SDK standard retry (RequestLimitExceeded is throttling to the SDK
 * already) plus SnapshotCreationPerVolumeRateExceeded marked as throttling; CreateSnapshot(s) is never
 * retried blindly. `overrides` is for tests (fake requestHandler, fast retry strategy).
 */
export function createEc2Client(overrides: EC2ClientConfig = {}): EC2Client {
  return neverRetryBlindly(
    retryAlsoOn(new EC2Client({ ...clientConfig(), ...overrides }), EC2_EXTRA_THROTTLING_CODES),
  );
}

/**
 * One EC2 client per Region, made on first use and kept for the module's life: a snapshot copy lives in its
 * destination Region, and EC2 acts in the Region of the endpoint a request is sent to. No Region: `home`.
 */
export function regionalEc2Clients(
  home: EC2Client,
  make: (region: string) => EC2Client = (region) => createEc2Client({ region }),
): (region?: string) => EC2Client {
  const byRegion = new Map<string, EC2Client>();
  return (region) => {
    if (!region) return home;
    let client = byRegion.get(region);
    if (!client) {
      client = make(region);
      byRegion.set(region, client);
    }
    return client;
  };
}

export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...clientConfig(), ...overrides });
}
