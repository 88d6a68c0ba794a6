import type { IConstruct } from 'constructs';
import type { PlatformKind } from './platform-grants';

export type ConditionBlock = Readonly<
  Record<string, Readonly<Record<string, string | readonly string[]>>>
>;

/** One IAM statement, kept structured so the policy checks can read the reason next to a `*` resource. */
export interface PolicyStatement {
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: ConditionBlock;
  /** Principals, for resource policies (key, topic, queue) only. */
  readonly principals?: Readonly<Record<string, string | readonly string[]>>;
  /** Why `Resource: "*"` is right here; required by the policy checks when an action could be scoped. */
  readonly wildcardReason?: string;
  /**
   * Calls made by AWS on the role user's behalf (log delivery, event source polling, destinations), not by
   * handler code: set only by platformGrant() (platform-grants.ts), whose list the IAM proof holds it to.
   */
  readonly platform?: PlatformKind;
}

const statementsByConstruct = new WeakMap<IConstruct, readonly PolicyStatement[]>();

/** Remembers the structured statements behind a policy-bearing construct, for the policy checks. */
export function registerStatements(
  construct: IConstruct,
  statements: readonly PolicyStatement[],
): void {
  statementsByConstruct.set(construct, statements);
}

export function registeredStatements(
  construct: IConstruct,
): readonly PolicyStatement[] | undefined {
  return statementsByConstruct.get(construct);
}

/** Renders statements as an IAM policy document (JSON string; cdktf tokens inside resolve at synth). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(s.principals ? { Principal: s.principals } : {}),
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions],
      Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}
