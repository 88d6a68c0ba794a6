import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AutoScalingClient, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { clientConfig } from '../shared/aws';

/*
 * The clients the drain handler uses: SDK standard retry, which already treats ECS ThrottlingException,
 * Auto Scaling Throttling, SQS and DynamoDB throttling as throttling. `overrides` is for tests (fake requestHandler,
 * fast retry strategy).
 */

export function createEcsClient(overrides: ECSClientConfig = {}): ECSClient {
  return new ECSClient({ ...clientConfig(), ...overrides });
}

export function createAutoScalingClient(
  overrides: AutoScalingClientConfig = {},
): AutoScalingClient {
  return new AutoScalingClient({ ...clientConfig(), ...overrides });
}

export function createSqsClient(overrides: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...clientConfig(), ...overrides });
}

export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...clientConfig(), ...overrides });
}
