import type { App } from 'cdktf';
import { CapacityReservationsStack } from './capacity-reservations/stack';
import { EbsSnapshotLifecycleStack } from './ebs-snapshot-lifecycle/stack';
import { EcsAutoscalingDrainStack } from './ecs-autoscaling-drain/stack';
import { EcsSpotApiStack } from './ecs-spot-api/stack';
import type { OpsStack, OpsStackProps } from './platform/ops-stack';
import { RedshiftResizeStack } from './redshift-resize/stack';

/** Every automation, by stack name: the one list main.ts, the tests and the offline proof share. */
export const STACKS = {
  'ebs-snapshot-lifecycle': EbsSnapshotLifecycleStack,
  'capacity-reservations': CapacityReservationsStack,
  'ecs-spot-api': EcsSpotApiStack,
  'ecs-autoscaling-drain': EcsAutoscalingDrainStack,
  'redshift-resize': RedshiftResizeStack,
} as const satisfies Record<string, new (scope: App, id: string, props: OpsStackProps) => OpsStack>;

export type StackName = keyof typeof STACKS;

export function addStacks(app: App, props: OpsStackProps, only?: readonly StackName[]): OpsStack[] {
  return (Object.keys(STACKS) as StackName[])
    .filter((name) => !only || only.includes(name))
    .map((name) => new STACKS[name](app, name, props));
}
