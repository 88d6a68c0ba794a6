import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { clientConfig } from '../shared/aws';

/**
 * The EC2 client of the Spot signal function, kept out of clients.ts so the drain's bundle does not change:
 * SDK standard retry, which treats EC2's RequestLimitExceeded as throttling. `overrides` is for tests.
 */
export function createEc2Client(overrides: EC2ClientConfig = {}): EC2Client {
  return new EC2Client({ ...clientConfig(), ...overrides });
}
