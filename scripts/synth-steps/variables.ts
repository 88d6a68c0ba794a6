import { TerraformVariable, type TerraformStack } from 'cdktf';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SynthStep } from './index';

/**
 * Written beside each stack's configuration: Terraform loads `*.auto.tfvars.json` from its working folder
 * (https://developer.hashicorp.com/terraform/language/values/variables#variable-definitions-tfvars-files),
 * and Terraform Cloud workspace variables override it
 * (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/variables#precedence).
 */
export const STACK_TFVARS_FILE = 'ops-autopilot.auto.tfvars.json';

export class StackVariablesError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackVariablesError';
  }
}

type Values = Record<string, unknown>;

/** `name = <JSON value>` on one line, as terraform.tfvars.example writes every value. */
const SIMPLE_LINE = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.+)$/;

/**
 * The values of a file written the way terraform.tfvars.example is (one `name = <JSON>` per line, comments),
 * or undefined when a line needs the HCL parser: multi-line values, HCL objects, templates (`${`, `%{`).
 */
function simpleTfvars(text: string): Values | undefined {
  const values: Values = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('//')) continue;
    const m = SIMPLE_LINE.exec(line);
    if (!m?.[1] || !m[2] || /[$%]\{/.test(m[2])) return undefined;
    try {
      values[m[1]] = JSON.parse(m[2]);
    } catch {
      return undefined;
    }
  }
  return values;
}

/** The values of a variable definitions file: `.tfvars` (HCL) or `.tfvars.json`. */
export async function readTfvars(path: string): Promise<Values> {
  const text = readFileSync(path, 'utf8');
  try {
    if (path.endsWith('.json')) return JSON.parse(text) as Values;
    // The HCL parser (WebAssembly) takes a second to start: only for files the simple reader cannot read.
    const simple = simpleTfvars(text);
    if (simple) return simple;
    const { parse } = await import('@cdktf/hcl2json');
    return (await parse(path, text)) as Values;
  } catch (error) {
    throw new StackVariablesError(`${path} is not a valid variable definitions file`, {
      cause: error,
    });
  }
}

export interface DeclaredVariable {
  readonly name: string;
  readonly sensitive: boolean;
}

export function declaredVariables(stack: TerraformStack): DeclaredVariable[] {
  return stack.node
    .findAll()
    .filter((c): c is TerraformVariable => c instanceof TerraformVariable)
    .map((v) => ({ name: v.friendlyUniqueId, sensitive: v.sensitive === true }));
}

/**
 * Each stack's own values out of one file of values for all stacks. Refuses a value no stack declares (a
 * typo would otherwise be dropped silently) and a value of a sensitive variable (it would be written in
 * the stack's folder, which Terraform Cloud uploads: set it as TF_VAR_<name> or a sensitive workspace
 * variable instead).
 */
export function valuesByStack(
  stacks: ReadonlyArray<{ readonly name: string; readonly variables: readonly DeclaredVariable[] }>,
  values: Values,
  source: string,
): Map<string, Values> {
  const declared = new Set(stacks.flatMap((s) => s.variables.map((v) => v.name)));
  const unknown = Object.keys(values).filter((n) => !declared.has(n));
  if (unknown.length > 0)
    throw new StackVariablesError(
      `${source} sets ${unknown.join(', ')}, which no stack declares (see terraform.tfvars.example)`,
    );
  const sensitive = stacks
    .flatMap((s) => s.variables)
    .filter((v) => v.sensitive && Object.hasOwn(values, v.name))
    .map((v) => v.name);
  if (sensitive.length > 0)
    throw new StackVariablesError(
      `${source} sets ${[...new Set(sensitive)].join(', ')}, declared sensitive: set ${sensitive.map((n) => `TF_VAR_${n}`).join(', ')} in the environment (or a sensitive Terraform Cloud workspace variable) instead, so the value is never written to the synthesized folder`,
    );
  return new Map(
    stacks.map((s) => [
      s.name,
      Object.fromEntries(
        s.variables
          .map((v) => v.name)
          .filter((n) => Object.hasOwn(values, n))
          .sort()
          .map((n) => [n, values[n]]),
      ),
    ]),
  );
}

/**
 * Gives each stack only its own variables: the values of the user's terraform.tfvars (or the file
 * OPS_AUTOPILOT_TFVARS names; empty for none) that the stack declares, in STACK_TFVARS_FILE beside its
 * configuration, so no plan warns about undeclared variables. Without the file, removes what an earlier
 * synth wrote.
 */
export function stackVariables(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): SynthStep {
  const chosen = env.OPS_AUTOPILOT_TFVARS;
  const path = chosen === '' ? undefined : resolve(cwd, chosen ?? 'terraform.tfvars');
  return {
    name: 'stack-variables',
    finish: async (ctx) => {
      if (chosen && path && !existsSync(path))
        throw new StackVariablesError(`OPS_AUTOPILOT_TFVARS=${chosen}: no such file`);
      const values = path && existsSync(path) ? await readTfvars(path) : undefined;
      const byStack = values
        ? valuesByStack(
            ctx.stacks.map((s) => ({ name: s.node.id, variables: declaredVariables(s) })),
            values,
            path ?? '',
          )
        : new Map<string, Values>();
      for (const stack of ctx.stacks) {
        const file = resolve(ctx.stackDir(stack), STACK_TFVARS_FILE);
        const own = byStack.get(stack.node.id) ?? {};
        if (Object.keys(own).length === 0) rmSync(file, { force: true });
        else writeFileSync(file, JSON.stringify(own, null, 2) + '\n');
      }
    },
  };
}
