import type { App, TerraformStack } from 'cdktf';
import { join } from 'node:path';

/** What a synth step sees: the app, its stacks, and where each stack's configuration is written. */
export interface SynthContext {
  readonly app: App;
  readonly stacks: readonly TerraformStack[];
  /** The folder cdktf writes one stack's configuration to (`<outdir>/stacks/<stack>`). */
  stackDir(stack: TerraformStack): string;
}

/**
 * One addition to a synth, kept out of the stacks: `prepare` runs before `app.synth()` (aspects, extra
 * constructs), `finish` after it (files beside each stack's configuration). Steps run in list order.
 */
export interface SynthStep {
  readonly name: string;
  readonly prepare?: (ctx: SynthContext) => void;
  readonly finish?: (ctx: SynthContext) => void | Promise<void>;
}

/** Synthesizes the app with the given steps; an `undefined` step (one that does not apply) is skipped. */
export async function synthWithSteps(
  app: App,
  stacks: readonly TerraformStack[],
  steps: ReadonlyArray<SynthStep | undefined>,
): Promise<void> {
  const active = steps.filter((s): s is SynthStep => s !== undefined);
  const ctx: SynthContext = {
    app,
    stacks,
    stackDir: (stack) => join(app.outdir, 'stacks', stack.node.id),
  };
  for (const step of active) step.prepare?.(ctx);
  app.synth();
  for (const step of active) await step.finish?.(ctx);
}

export { cliHclOutput, hclModules, hclOutputRequested } from './hcl';
export {
  readTfvars,
  STACK_TFVARS_FILE,
  stackVariables,
  StackVariablesError,
  valuesByStack,
} from './variables';
