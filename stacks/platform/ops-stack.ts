import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, type TerraformElement, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { applyBackend, type BackendChoice } from './backend';
import type { CodeSource } from './code-source';
import type { PolicyStatement } from './iam';
import { PolicyChecks } from './policy-checks';

const PROJECT = 'ops-autopilot';

export interface OpsStackProps {
  /** Where handler zips come from (the build step's output, or a fake in tests). */
  readonly codeSource: CodeSource;
  /** State backend for this stack. */
  readonly backend: BackendChoice;
}

/**
 * Base of every automation: provider with default tags and region/account from variables, the
 * backend, the synth-time policy checks, and the ARN helpers that keep IAM policies plan-readable.
 */
export class OpsStack extends TerraformStack {
  readonly stackName: string;
  readonly codeSource: CodeSource;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly namePrefix: string;
  readonly logRetentionDays: number;
  /** Value of the `managed-by` tag on what handlers create at run time. */
  readonly managedBy: string;
  /** Roles whose every granted action the IAM proof checks against recorded calls, by recording name. */
  readonly iamSubjects: Array<{
    readonly name: string;
    readonly policy: TerraformElement;
    readonly statements: readonly PolicyStatement[];
  }> = [];

  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id);
    this.stackName = id;
    this.codeSource = props.codeSource;

    const region = new TerraformVariable(this, 'region', {
      type: 'string',
      default: 'us-east-1',
      description: 'AWS region to deploy into.',
    });
    const accountId = new TerraformVariable(this, 'account_id', {
      type: 'string',
      description:
        'AWS account id to deploy into; the provider refuses credentials of any other account.',
      validation: [
        {
          condition: '${can(regex("^[0-9]{12}$", var.account_id))}',
          errorMessage: 'account_id must be 12 digits.',
        },
      ],
    });
    const namePrefix = new TerraformVariable(this, 'name_prefix', {
      type: 'string',
      default: PROJECT,
      description: 'Prefix of every resource name, so several deployments can share an account.',
      validation: [
        {
          condition: '${can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))}',
          errorMessage:
            'name_prefix must be 2-31 lowercase letters, digits or "-", starting with a letter.',
        },
      ],
    });
    const logRetention = new TerraformVariable(this, 'log_retention_days', {
      type: 'number',
      default: 30,
      description: 'Retention of every log group this stack creates, in days.',
      validation: [
        {
          condition:
            '${contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)}',
          errorMessage:
            'log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ...).',
        },
      ],
    });

    new AwsProvider(this, 'aws', {
      region: region.stringValue,
      allowedAccountIds: [accountId.stringValue],
      defaultTags: [{ tags: { project: PROJECT, stack: id, 'managed-by': 'cdktf' } }],
    });
    applyBackend(this, id, props.backend);

    this.region = region.stringValue;
    this.accountId = accountId.stringValue;
    // Computed from the provider's region by the provider itself: no AWS call at plan time.
    this.partition = new DataAwsPartition(this, 'partition').partition;
    this.namePrefix = namePrefix.stringValue;
    this.logRetentionDays = logRetention.numberValue;
    this.managedBy = `${this.namePrefix}/${id}`;

    Aspects.of(this).add(new PolicyChecks());
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass account '' for account-less ARNs (snapshots). */
  arn(
    service: string,
    resource: string,
    options: { account?: string; region?: string } = {},
  ): string {
    return `arn:${this.partition}:${service}:${options.region ?? this.region}:${options.account ?? this.accountId}:${resource}`;
  }

  /** Puts a role's policy under the IAM proof: calls recorded under `name` must all be allowed by it. */
  registerIamSubject(
    name: string,
    policy: TerraformElement,
    statements: readonly PolicyStatement[],
  ): void {
    if (this.iamSubjects.some((s) => s.name === name))
      throw new Error(`IAM subject "${name}" is registered twice in ${this.stackName}`);
    this.iamSubjects.push({ name, policy, statements });
  }

  /** `<name_prefix>-<suffix>` */
  name(suffix: string): string {
    return `${this.namePrefix}-${suffix}`;
  }

  static override of(construct: IConstruct): OpsStack {
    const stack = TerraformStack.of(construct);
    if (!(stack instanceof OpsStack))
      throw new Error(`${construct.node.path} must live inside an OpsStack`);
    return stack;
  }
}
