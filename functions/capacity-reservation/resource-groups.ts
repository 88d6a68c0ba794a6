import {
  GroupResourcesCommand,
  type FailedResource,
  type ResourceGroupsClient,
  UngroupResourcesCommand,
} from '@aws-sdk/client-resource-groups';
import type { FailedMember, ReservationGroup } from './group';

const failedMembers = (failed: readonly FailedResource[] | undefined): FailedMember[] =>
  (failed ?? []).map((f) => ({
    arn: f.ResourceArn ?? '',
    code: f.ErrorCode ?? 'Unknown',
    message: f.ErrorMessage ?? '',
  }));

/**
 * The stack's capacity reservation group through Resource Groups' GroupResources and UngroupResources. Both
 * are idempotent in effect (a member added again, a non-member removed), so the client's standard retry of
 * throttling and server errors is safe. Resources still `Pending` are added asynchronously by the service;
 * every run adds the pool's live targeted reservations again (joinGroup), so one that never joined is retried.
 * https://docs.aws.amazon.com/ARG/latest/APIReference/API_GroupResources.html
 * https://docs.aws.amazon.com/ARG/latest/APIReference/API_UngroupResources.html
 */
export function resourceGroupsClient(
  client: ResourceGroupsClient,
  groupArn: string,
): ReservationGroup {
  return {
    arn: groupArn,
    add: async (arns) =>
      failedMembers(
        (await client.send(new GroupResourcesCommand({ Group: groupArn, ResourceArns: [...arns] })))
          .Failed,
      ),
    remove: async (arns) =>
      failedMembers(
        (
          await client.send(
            new UngroupResourcesCommand({ Group: groupArn, ResourceArns: [...arns] }),
          )
        ).Failed,
      ),
  };
}
