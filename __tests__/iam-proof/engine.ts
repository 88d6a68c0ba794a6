import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { substituteTf } from '../../scripts/tf-values';
import { STACKS, type StackName } from '../../stacks/app';
import type { PolicyStatement } from '../../stacks/platform/iam';
import { WORLD } from '../support/deployment';
import { IAM_CALLS_DIR, type RecordedCall } from '../support/iam-recorder';
import { synthStack, type TfJson } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';
import { platformNeeds } from './platform';

/** One IAM request a recorded SDK call makes (an SDK call can make several, e.g. CreateSnapshot). */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

export interface ProofSubject {
  readonly stack: StackName;
  readonly name: string;
  /** Logical id of the aws_iam_role the policy is attached to. */
  readonly roleId: string;
  /** The policy document as it would deploy with terraform.tfvars.example (and PROOF_OPTIONS). */
  readonly policy: { Version: string; Statement: unknown[] };
  readonly statements: readonly PolicyStatement[];
  /** The platform statements the resources using the role need, as deployed (see platform.ts). */
  readonly platformNeeds: readonly PolicyStatement[];
}

/**
 * Options the proof turns on over terraform.tfvars.example, so roles that exist only with an option are judged
 * as they would deploy with it (the task execution role exists only with a private registry secret, the
 * Spot fallback function only with ecs_spot_fallback_enabled).
 */
export const PROOF_OPTIONS: Readonly<Record<string, unknown>> = {
  // The copy Regions the EBS handler tests copy to (__tests__/ebs-snapshot-lifecycle/fixtures/copy-world.ts).
  snapshot_copy_regions: ['eu-west-1', 'ap-south-1'],
  ecs_private_registry_secret_arn: `arn:${WORLD.partition}:secretsmanager:${WORLD.region}:${WORLD.account}:secret:registry-credentials-AbCdEf`,
  ecs_spot_fallback_enabled: true,
};

export function proofVariables(): Record<string, unknown> {
  return { ...readTfvarsExample(), ...PROOF_OPTIONS };
}

export function substitute(text: string, json: TfJson, vars: Record<string, unknown>): string {
  return substituteTf(text, vars, json.variable, WORLD.partition);
}

function findPolicy(json: TfJson, logicalId: string): Record<string, unknown> {
  for (const byName of Object.values(json.resource)) {
    const resource = byName[logicalId];
    if (typeof resource?.policy === 'string') return resource;
  }
  throw new Error(`no synthesized policy with logical id ${logicalId}`);
}

/** `${aws_iam_role.X.name}` or `${one(aws_iam_role.X[*].name)}` -> X */
export function roleIdOf(policy: Record<string, unknown>): string {
  const m = /aws_iam_role\.([\w-]+)(\[\*\])?\.name/.exec(String(policy.role));
  if (!m) throw new Error(`policy is attached to no role of its stack: ${String(policy.role)}`);
  return m[1] as string;
}

/** Every registered IAM subject of every stack, with its policy as deployed. */
export function deployedSubjects(
  stacks: readonly StackName[] = Object.keys(STACKS) as StackName[],
): ProofSubject[] {
  const vars = proofVariables();
  return stacks.flatMap((stackName) => {
    const { stack, json } = synthStack(stackName);
    const needs = platformNeeds(json, (text) => substitute(text, json, vars));
    return stack.iamSubjects.map((subject) => {
      const policy = findPolicy(json, stack.getLogicalId(subject.policy));
      const roleId = roleIdOf(policy);
      return {
        stack: stackName,
        name: subject.name,
        roleId,
        policy: JSON.parse(substitute(String(policy.policy), json, vars)) as ProofSubject['policy'],
        statements: subject.statements,
        platformNeeds: needs.get(roleId) ?? [],
      };
    });
  });
}

export function recordedCalls(name: string): RecordedCall[] {
  if (!existsSync(IAM_CALLS_DIR)) return [];
  return readdirSync(IAM_CALLS_DIR)
    .filter((f) => f.startsWith(`${name}.`) && f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(IAM_CALLS_DIR, f), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCall);
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * A KMS key's default key policy: it lets the account's IAM policies decide
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
 * KMS requires a key policy, so a request on a key (e.g. the key that encrypts a snapshot copy) is judged
 * with this one: the role's identity policy is then what allows or denies it.
 */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:${WORLD.partition}:iam::${WORLD.account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** Evaluates one request against one identity policy, as a principal of the deployment's account. */
export async function decide(
  policy: ProofSubject['policy'],
  request: IamRequest,
): Promise<Decision> {
  const simulation: Simulation = {
    identityPolicies: [{ name: 'subject', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.action.startsWith('kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
    request: {
      principal: `arn:${WORLD.partition}:iam::${WORLD.account}:role/subject`,
      action: request.action,
      resource: { resource: request.resource, accountId: WORLD.account },
      contextVariables: { 'aws:RequestedRegion': WORLD.region, ...(request.context ?? {}) },
    },
  } as Simulation;
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(
      `IAM simulation of ${request.action} on ${request.resource} is invalid: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult as Decision;
}

/** Actions a policy grants to handler code (platform statements, used by AWS itself, excluded). */
export function codeActions(subject: ProofSubject): string[] {
  return [
    ...new Set(
      subject.statements
        .filter((s) => !s.platform && (s.effect ?? 'Allow') === 'Allow')
        .flatMap((s) => s.actions),
    ),
  ].sort();
}
