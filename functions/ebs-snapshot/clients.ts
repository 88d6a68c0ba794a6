import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { clientConfig, retryAlsoOn } from '../shared/aws';

/** EC2 error codes that are throttling but not in the SDK's own list. */
const EC2_EXTRA_THROTTLING_CODES = ['SnapshotCreationPerVolumeRateExceeded'] as const;

/**
 * The EC2 client both handlers use: SDK standard retry (RequestLimitExceeded is throttling to the SDK
 * already) plus SnapshotCreationPerVolumeRateExceeded marked as throttling. `overrides` is for tests
 * (fake requestHandler, fast retry strategy).
 */
export function createEc2Client(overrides: EC2ClientConfig = {}): EC2Client {
  return retryAlsoOn(
    new EC2Client({ ...clientConfig(), ...overrides }),
    EC2_EXTRA_THROTTLING_CODES,
  );
}

export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...clientConfig(), ...overrides });
}
