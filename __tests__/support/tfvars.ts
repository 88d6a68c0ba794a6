import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TFVARS_EXAMPLE_PATH = join(__dirname, '..', '..', 'terraform.tfvars.example');

/** `name = value` lines of terraform.tfvars.example; values are kept JSON-compatible HCL on purpose. */
export function readTfvarsExample(path = TFVARS_EXAMPLE_PATH): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([a-z_][a-z0-9_]*)\s*=\s*(.+)$/.exec(trimmed);
    if (!m?.[1] || m[2] === undefined)
      throw new Error(`${path}:${i + 1}: not a "name = value" line: ${line}`);
    if (m[1] in vars) throw new Error(`${path}:${i + 1}: ${m[1]} is set twice`);
    try {
      vars[m[1]] = JSON.parse(m[2]);
    } catch (error) {
      throw new Error(`${path}:${i + 1}: value of ${m[1]} is not JSON-compatible HCL: ${m[2]}`, {
        cause: error,
      });
    }
  }
  return vars;
}
