/** Files next to cdktf's HCL output: what it leaves out of a stack's folder, and the formatting of it. */

import type { TerraformStack } from 'cdktf';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHclTemplate, HclRenderError } from './escape';
import type { Dict } from './fragment';

/** Top-level blocks of a stack's JSON config the HCL renderer prints itself (`check` is written here). */
const RENDERED = new Set([
  '//',
  'terraform',
  'provider',
  'resource',
  'data',
  'variable',
  'output',
  'locals',
]);

/**
 * Writes what cdktf's HCL synth leaves out of a stack's folder: stack-level `check` blocks (from the stack's
 * JSON config, the source of truth) to `checks.tf`. Fails on any other block kind it would lose.
 */
export function writeHclExtras(stackDir: string, stack: TerraformStack): void {
  const json = stack.toTerraform() as Dict;
  const lost = Object.keys(json).filter((k) => !RENDERED.has(k) && k !== 'check');
  if (lost.length > 0)
    throw new HclRenderError(
      `${stack.node.id}: top-level ${lost.join(', ')} blocks have no HCL module rendering yet`,
    );
  const checks = Object.entries((json.check as Record<string, Dict> | undefined) ?? {});
  if (checks.length === 0) return;
  const blocks = checks.map(([name, body]) => {
    const keys = Object.keys(body).filter((k) => k !== 'assert');
    if (keys.length > 0)
      throw new HclRenderError(`check "${name}": ${keys.join(', ')} has no HCL rendering yet`);
    const asserts = (body.assert as Array<{ condition: string; error_message: string }>).map((a) =>
      [
        '  assert {',
        `    condition     = "${escapeHclTemplate(a.condition)}"`,
        `    error_message = "${escapeHclTemplate(a.error_message)}"`,
        '  }',
      ].join('\n'),
    );
    return [`check "${name}" {`, ...asserts, '}'].join('\n');
  });
  writeFileSync(
    join(stackDir, 'checks.tf'),
    `# Stack-level check blocks of ${stack.node.id} (cdktf's HCL synth does not render them).\n${blocks.join('\n\n')}\n`,
  );
}

/** A folder holding a JSON synth would mix cdk.tf.json and cdk.tf into one (broken) configuration. */
export function assertNoJsonSynth(outdir: string, stackNames: readonly string[]): void {
  const mixed = stackNames.filter((s) => existsSync(join(outdir, 'stacks', s, 'cdk.tf.json')));
  if (mixed.length > 0)
    throw new HclRenderError(
      `${outdir} holds a JSON synth of ${mixed.join(', ')}: write the HCL modules to another folder (CDKTF_OUTDIR)`,
    );
}

/** `terraform fmt` style for every .tf file of a module folder, as `cdktf synth --hcl` does (cdktf's formatter). */
export async function formatModule(stackDir: string): Promise<void> {
  // Loaded here, not at the top: the JSON synth (dist/main.js) bundles this file but never formats.
  const { format } = await import('@cdktf/hcl-tools');
  for (const file of readdirSync(stackDir).filter((f) => f.endsWith('.tf'))) {
    const path = join(stackDir, file);
    writeFileSync(path, await format(readFileSync(path, 'utf8')));
  }
}
