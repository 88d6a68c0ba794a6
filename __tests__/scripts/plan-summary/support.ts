import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  IamChange,
  SecurityGroupChange,
  StackSummary,
  TfPlan,
} from '../../../scripts/plan-summary';

const FIXTURES = join(__dirname, '..', 'fixtures', 'plan-summary');
export const fixture = (name: string): TfPlan =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as TfPlan;
export const log = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

export function iamOf(summary: StackSummary, address: string): IamChange {
  const found = summary.iam.find((i) => i.address === address);
  if (!found) throw new Error(`no IAM change for ${address}`);
  return found;
}

export function sgOf(summary: StackSummary, address: string): SecurityGroupChange {
  const found = summary.securityGroups.find((g) => g.address === address);
  if (!found) throw new Error(`no security group change for ${address}`);
  return found;
}
