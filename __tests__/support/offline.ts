import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  proveStack,
  requireOfflineTools,
  sharedSynth,
  TFVARS_EXAMPLE,
  type StackProof,
} from '../../scripts/offline-proof';
import { refusal } from './tf-eval';
import type { TfJson } from './synth';
import { readTfvarsExample } from './tfvars';

/** Under CI=true missing terraform or mirror throws (a failure); elsewhere the offline tests skip with a note. */
export const offlineTools = requireOfflineTools();
if (!offlineTools)
  console.warn('offline Terraform proof skipped here: terraform or the provider mirror is missing');

export const describeOffline = offlineTools ? describe : describe.skip;

/** Synthesizes the built app (dist/main.js) and runs init, validate, plan and show for one stack. */
export async function offlineProof(stack: string): Promise<StackProof> {
  if (!offlineTools) throw new Error('offline tools missing');
  return proveStack(offlineTools, await sharedSynth(), stack);
}

/** terraform.tfvars.example with some values replaced (JSON-compatible HCL, as in the example), as a new var file. */
export function variantVarFile(overrides: Record<string, unknown>): string {
  let text = readFileSync(TFVARS_EXAMPLE, 'utf8');
  for (const [name, value] of Object.entries(overrides)) {
    const line = new RegExp(`^${name} = .*$`, 'm');
    if (!line.test(text)) throw new Error(`${name} is not in terraform.tfvars.example`);
    text = text.replace(line, `${name} = ${JSON.stringify(value)}`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'tfvars-')), 'variant.tfvars');
  writeFileSync(file, text);
  return file;
}

/**
 * What Terraform refuses for terraform.tfvars.example with `overrides` in a stack of a synth (`outdir`): its
 * variable validations and preconditions over variables, evaluated without a provider (tf-eval's `refusal`),
 * "" when it accepts the values. A whole plan proves the same refusal at about 25 times the cost.
 */
export function refusalOf(
  outdir: string,
  stack: string,
  overrides: Readonly<Record<string, unknown>>,
): string {
  const json = JSON.parse(
    readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
  ) as TfJson;
  return refusal(json, { ...readTfvarsExample(), ...overrides });
}

/** Terraform wraps error messages: match the words with any whitespace between them. */
export const wrapped = (message: string): RegExp =>
  new RegExp(
    message
      .split(/\s+/)
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+'),
  );

/** Status and messages of a check block in a plan. */
export function checkBlock(plan: StackProof['plan'], name: string) {
  const checks = (plan as unknown as { checks?: Array<Record<string, unknown>> }).checks ?? [];
  const check = checks.find((c) => (c.address as { name?: string }).name === name) as
    | { status: string; instances?: Array<{ problems?: Array<{ message: string }> }> }
    | undefined;
  return {
    status: check?.status,
    messages: (check?.instances ?? []).flatMap((i) => (i.problems ?? []).map((p) => p.message)),
  };
}
