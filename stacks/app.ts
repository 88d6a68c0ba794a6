import type { App } from 'cdktf';
import { EbsSnapshotStack } from './ebs-snapshot-stack';
import type { OpsStack, OpsStackProps } from './ops-stack';

/** Every automation, by stack name: the one list main.ts, the tests and the offline proof share. */
export const STACKS = {
  'ebs-snapshot-lifecycle': EbsSnapshotStack,
} as const satisfies Record<string, new (scope: App, id: string, props: OpsStackProps) => OpsStack>;

export type StackName = keyof typeof STACKS;

export function addStacks(app: App, props: OpsStackProps, only?: readonly StackName[]): OpsStack[] {
  return (Object.keys(STACKS) as StackName[])
    .filter((name) => !only || only.includes(name))
    .map((name) => new STACKS[name](app, name, props));
}
