import { asHclModule, asHclRoot, formatModule, writeHclExtras } from '../hcl-module';
import type { SynthContext, SynthStep } from './index';

/** The rule cdktf's stacks follow to render HCL (`cdktf synth --hcl` sets it to "true"). */
export function hclOutputRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SYNTH_HCL_OUTPUT === 'true' || env.SYNTH_HCL_OUTPUT === '1';
}

/** What cdktf's HCL synth leaves out (stack-level check blocks), written and formatted beside each stack. */
async function writeExtras(ctx: SynthContext): Promise<void> {
  for (const stack of ctx.stacks) {
    writeHclExtras(ctx.stackDir(stack), stack);
    await formatModule(ctx.stackDir(stack));
  }
}

/**
 * `cdktf synth --hcl`: the renderer fixes of `npm run synth:hcl` (scripts/hcl-module) applied to root
 * configurations, which keep their backend and provider blocks. Undefined for a JSON synth.
 */
export function cliHclOutput(env: NodeJS.ProcessEnv = process.env): SynthStep | undefined {
  if (!hclOutputRequested(env)) return undefined;
  return {
    name: 'hcl-root',
    prepare: (ctx) => ctx.stacks.forEach(asHclRoot),
    finish: writeExtras,
  };
}

/** `npm run synth:hcl`: every stack as a reusable module, without backend or provider configuration. */
export function hclModules(): SynthStep {
  return {
    name: 'hcl-module',
    prepare: (ctx) => ctx.stacks.forEach(asHclModule),
    finish: writeExtras,
  };
}
