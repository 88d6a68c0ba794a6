/**
 * IAM requests of the ECS service calls of the Spot fallback (DescribeServices, UpdateService); spread into
 * TRANSLATORS. Helpers from translate.ts are used only when a call is translated.
 */
import {
  ecsClusterContext,
  ecsClusterName,
  regional,
  str,
  strList,
  type Input,
  type Translator,
} from './translate';

const ecsServiceArn = (nameOrArn: string, input: Input) =>
  nameOrArn.startsWith('arn:')
    ? nameOrArn
    : regional('ecs', `service/${ecsClusterName(input)}/${nameOrArn}`);

export const ECS_SERVICE_TRANSLATORS: Readonly<Record<string, Translator>> = {
  'ECSClient.DescribeServices': (input) =>
    strList(input, 'services').map((s) => ({
      action: 'ecs:DescribeServices',
      resource: ecsServiceArn(s, input),
      context: ecsClusterContext(input),
    })),
  // ecs:capacity-provider: the ARNs of the providers the request's strategy names (ArrayOfARN).
  'ECSClient.UpdateService': (input) => [
    {
      action: 'ecs:UpdateService',
      resource: ecsServiceArn(str(input, 'service'), input),
      context: {
        ...ecsClusterContext(input),
        ...(Array.isArray(input.capacityProviderStrategy)
          ? {
              'ecs:capacity-provider': (
                input.capacityProviderStrategy as Array<{ capacityProvider: string }>
              ).map((s) => regional('ecs', `capacity-provider/${s.capacityProvider}`)),
            }
          : {}),
      },
    },
  ],
};
