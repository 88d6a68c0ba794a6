import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { clientConfig, retryAlsoOn } from '../shared/aws';
import { neverRetryBlindly } from '../shared/never-retry-blindly';
import { OutcomeUnknownError } from './errors';

/** EC2 error codes that are throttling but not in the SDK's own list. */
const EC2_EXTRA_THROTTLING_CODES = ['SnapshotCreationPerVolumeRateExceeded'] as const;

/**
 * Create calls without an idempotency token (no request names a ClientToken:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshot.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html): retried by the SDK only
 * when EC2 refused them (throttling); an unknown outcome is an OutcomeUnknownError, and the caller checks by
 * tag first.
 */
const NON_IDEMPOTENT_WRITES = {
  commands: ['CreateSnapshotCommand', 'CreateSnapshotsCommand', 'CopySnapshotCommand'],
  outcomeUnknown: OutcomeUnknownError,
} as const;

/**
 * The EC2 client both handlers use: SDK standard retry (RequestLimitExceeded is throttling to the SDK
 * already) plus SnapshotCreationPerVolumeRateExceeded marked as throttling; CreateSnapshot(s) is never
 * retried blindly. `overrides` is for tests (fake requestHandler, fast retry strategy).
 */
export function createEc2Client(overrides: EC2ClientConfig = {}): EC2Client {
  return neverRetryBlindly(
    retryAlsoOn(new EC2Client({ ...clientConfig(), ...overrides }), EC2_EXTRA_THROTTLING_CODES),
    NON_IDEMPOTENT_WRITES,
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
