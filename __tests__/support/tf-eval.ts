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
