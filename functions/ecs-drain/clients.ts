import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AutoScalingClient, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { clientConfig } from '../shared/aws';
import { configuredSqsEndpoint } from './endpoint';

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

/**
 * The SQS client sends to the queue URL's host unless an endpoint is set in its config; an endpoint set through
 * the environment does not count (@aws-sdk/middleware-sdk-sqs queueUrlMiddleware), so with one configured the
 * queue URL must not override it: the request goes where the environment points (a local emulator).
 */
export function createSqsClient(overrides: SQSClientConfig = {}): SQSClient {
  const useQueueUrlAsEndpoint = configuredSqsEndpoint() === undefined;
  return new SQSClient({ ...clientConfig(), useQueueUrlAsEndpoint, ...overrides });
}

export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...clientConfig(), ...overrides });
}
