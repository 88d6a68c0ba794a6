import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import { assumeRolePolicy, policyDocument, registerStatements, type PolicyStatement } from './iam';
import { OpsStack } from './ops-stack';

export interface ServiceRoleProps {
  /** The role's name in IAM. */
  readonly name: string;
  /** @default none */
  readonly description?: string;
  /** The AWS service that assumes the role, e.g. 'lambda.amazonaws.com'. */
  readonly service: string;
  /** A whole trust policy instead of the plain one `service` gets (e.g. with source conditions). @default none */
  readonly trustPolicy?: string;
  /** The inline policy's name. */
  readonly policyName: string;
  /** Exactly what the role's user calls. */
  readonly statements: readonly PolicyStatement[];
  /** Puts the policy under the IAM proof under this name. @default not proven */
  readonly iamSubject?: string;
  /** Terraform `count` of both resources (a role that exists only with an option). @default always */
  readonly count?: number;
  /** Construct ids of the role and its policy. @default 'role' and 'policy' */
  readonly ids?: { readonly role: string; readonly policy: string };
}

/**
 * A role a service assumes, with one inline least-privilege policy whose statements the policy checks (and,
 * with `iamSubject`, the IAM proof) read. Not a Construct: its resources are added to `scope` under the
 * given ids, so the stacks that had this block inline keep their resource addresses.
 */
export class ServiceRole {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  readonly statements: readonly PolicyStatement[];

  constructor(scope: Construct, props: ServiceRoleProps) {
    if (props.statements.length === 0)
      throw new Error(`ServiceRole "${props.name}" needs at least one policy statement`);
    const ids = props.ids ?? { role: 'role', policy: 'policy' };
    const count = props.count !== undefined ? { count: props.count } : {};
    this.statements = props.statements;
    this.role = new IamRole(scope, ids.role, {
      ...count,
      name: props.name,
      ...(props.description !== undefined ? { description: props.description } : {}),
      assumeRolePolicy: props.trustPolicy ?? assumeRolePolicy(props.service),
    });
    this.policy = new IamRolePolicy(scope, ids.policy, {
      ...count,
      name: props.policyName,
      // With a count, the role is a list: one() reads the name of the one that exists, if any.
      role:
        props.count !== undefined
          ? Token.asString(`\${one(${this.role.fqn}[*].name)}`)
          : this.role.name,
      policy: policyDocument(this.statements),
    });
    registerStatements(this.policy, this.statements);
    if (props.iamSubject !== undefined)
      OpsStack.of(scope).registerIamSubject(props.iamSubject, this.policy, this.statements);
  }
}
