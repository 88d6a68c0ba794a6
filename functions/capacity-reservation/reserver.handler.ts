import { EC2Client } from '@aws-sdk/client-ec2';
import { ResourceGroupsClient } from '@aws-sdk/client-resource-groups';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { clientConfig, withoutSdkRetryOn } from '../shared/aws';
import { readEnv } from '../shared/env';
import { ReserverEnvSchema } from './config';
import { INSUFFICIENT_CAPACITY } from './ec2';
import { resourceGroupsClient } from './resource-groups';
import { createReserverHandler } from './run';
import { secretCredentials } from './secret';

/**
 * Capacity reservation reserver (asset `capacity-reservation-reserver`): every scheduled run brings the
 * On-Demand Capacity Reservations of each `odcr_capacity` row to its Target_Capacity.
 */
const env = readEnv(ReserverEnvSchema);

const ec2 = withoutSdkRetryOn(new EC2Client(clientConfig()), [INSUFFICIENT_CAPACITY]);
const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(clientConfig()) });

const group = env.RESERVATION_GROUP_ARN
  ? resourceGroupsClient(new ResourceGroupsClient(clientConfig()), env.RESERVATION_GROUP_ARN)
  : undefined;

export const handler = createReserverHandler({
  env,
  ec2,
  credentials: secretCredentials(secrets, env.DB_SECRET_ARN),
  ...(group ? { group } : {}),
});
