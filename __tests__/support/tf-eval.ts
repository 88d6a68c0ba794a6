import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTerraform } from '../../scripts/terraform-env';
import type { TfJson } from './synth';

const terraform = findTerraform();
if (!terraform && process.env.CI === 'true')
  throw new Error('terraform CLI is mandatory under CI for the expression tests');
/** describe, or describe.skip (with CI=true a missing terraform fails above) where terraform is missing. */
export const describeTerraform = terraform ? describe : describe.skip;

/** The expression inside a synthesized "${...}" (the whole string one interpolation). */
export function inner(synthesized: unknown): string {
  const text = String(synthesized);
  if (!/^\$\{.*\}$/s.test(text)) throw new Error(`not one interpolation: ${text}`);
  return text.slice(2, -1);
}

/**
 * Terraform's values of `expressions` (Terraform expressions over the stack's variables) for `vars`: the
 * stack's variable blocks and one output per expression, applied with no provider and no resource, so a
 * conditional of the synthesized JSON is checked per setting in about a second.
 */
export function evaluate(
  json: TfJson,
  expressions: Readonly<Record<string, string>>,
  vars: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-eval-'));
  const output = Object.fromEntries(
    Object.entries(expressions).map(([k, e]) => [k, { value: `\${jsonencode(${e})}` }]),
  );
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: json.variable, output }));
  writeFileSync(join(dir, 'test.tfvars.json'), JSON.stringify(vars));
  runTerraform(dir, [
    'apply',
    '-auto-approve',
    '-input=false',
    '-no-color',
    '-var-file=test.tfvars.json',
  ]);
  const outputs = JSON.parse(runTerraform(dir, ['output', '-json'])) as Record<
    string,
    { value: string }
  >;
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [k, JSON.parse(v.value) as unknown]),
  );
}

/**
 * Runs terraform in `dir` (no CLI configuration: a providerless configuration needs none) and returns its
 * output; a failure throws Terraform's message, boxes and line wrapping undone.
 */
export function runTerraform(dir: string, args: readonly string[]): string {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
  try {
    return execFileSync(terraform!, [`-chdir=${dir}`, ...args], { env, stdio: 'pipe' }).toString();
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    const text = `${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`;
    throw new Error(text.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' '));
  }
}

interface Condition {
  readonly condition: string;
  readonly error_message: string;
}
interface WithConditions {
  readonly lifecycle?: { readonly precondition?: readonly Condition[] };
  readonly precondition?: readonly Condition[];
}

/** A reference to anything but a variable: such a condition needs a real plan (providers, resources). */
const NOT_A_VARIABLE =
  /\b(?:local|data|module|each|count|self|path|terraform)\.[a-z_]|\b(?:aws|random|time|null|archive|tls)_[a-z0-9_]*\.[a-zA-Z_]/;

/** Every precondition of a resource, data source or output, by where it sits. */
export function preconditions(json: TfJson): Array<{ at: string; check: Condition }> {
  const found: Array<{ at: string; check: Condition }> = [];
  for (const kind of ['resource', 'data'] as const)
    for (const [type, blocks] of Object.entries(json[kind] ?? {}))
      for (const [name, block] of Object.entries(blocks))
        for (const check of (block as WithConditions).lifecycle?.precondition ?? [])
          found.push({ at: `${kind === 'data' ? 'data.' : ''}${type}.${name}`, check });
  for (const [name, block] of Object.entries(json.output ?? {}))
    for (const check of (block as WithConditions).precondition ?? [])
      found.push({ at: `output.${name}`, check });
  return found;
}

/** The preconditions that read variables only, which `refusal` evaluates, and the others, which it cannot. */
export function variableOnlyPreconditions(json: TfJson) {
  const all = preconditions(json);
  const readsOthers = ({ check }: { check: Condition }) =>
    NOT_A_VARIABLE.test(check.condition) || NOT_A_VARIABLE.test(check.error_message);
  return { evaluated: all.filter((p) => !readsOthers(p)), skipped: all.filter(readsOthers) };
}

/**
 * What Terraform refuses, before planning any resource, for these variable values (a name-to-value map of
 * declared variables; others are ignored as a plan's var file ignores them): the stack's variable
 * validations and its preconditions over variables, each on an output of a configuration with no provider
 * and no resource. "" when it accepts them, else every refusal, line wrapping undone. About 0.3 s, where a
 * plan of a whole stack costs about 8 CPU-s; a precondition that reads a resource needs that plan.
 */
export function refusal(json: TfJson, values: Readonly<Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tf-refusal-'));
  const output = Object.fromEntries(
    variableOnlyPreconditions(json).evaluated.map(({ check }, i) => [
      `precondition_${i}`,
      { value: 0, precondition: [check] },
    ]),
  );
  // Terraform refuses an empty output object: a stack without preconditions has variables only.
  const config =
    Object.keys(output).length > 0
      ? { variable: json.variable, output }
      : { variable: json.variable };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
  const declared = Object.entries(values).filter(([name]) => name in json.variable);
  writeFileSync(join(dir, 'test.tfvars.json'), JSON.stringify(Object.fromEntries(declared)));
  try {
    runTerraform(dir, ['plan', '-input=false', '-no-color', '-var-file=test.tfvars.json']);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}
