import { App } from 'cdktf';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmulatorOverrideHclError,
  emulatorOverrideStep,
} from '../../../scripts/emulator/override-step';
import { OVERRIDE_FILE } from '../../../scripts/emulator/override';
import type { SynthContext } from '../../../scripts/synth-steps';

function context(hclOutput: boolean): SynthContext {
  const outdir = mkdtempSync(join(tmpdir(), 'override-step-'));
  const app = new App({ outdir, hclOutput });
  return { app, stacks: [], stackDir: () => outdir };
}

describe('the emulator override synth step', () => {
  it('refuses an HCL synth with the endpoint set, naming the setting', async () => {
    // Prepare
    const step = emulatorOverrideStep({ OPS_AUTOPILOT_AWS_ENDPOINT: 'http://127.0.0.1:4599' });
    // Act
    const act = async () => step.finish?.(context(true));
    // Assess
    await expect(act()).rejects.toThrow(EmulatorOverrideHclError);
    await expect(act()).rejects.toThrow(/OPS_AUTOPILOT_AWS_ENDPOINT/);
  });

  it('removes a stale override when the endpoint is unset', async () => {
    // Prepare
    const ctx = context(false);
    const stackDir = join(ctx.app.outdir, 'stacks', 'one');
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(join(stackDir, 'cdk.tf.json'), '{}');
    writeFileSync(join(stackDir, OVERRIDE_FILE), '{}');
    writeFileSync(
      join(ctx.app.outdir, 'manifest.json'),
      JSON.stringify({ stacks: { one: { synthesizedStackPath: 'stacks/one/cdk.tf.json' } } }),
    );
    // Act
    await emulatorOverrideStep({}).finish?.(ctx);
    // Assess
    expect(existsSync(join(stackDir, OVERRIDE_FILE))).toBe(false);
  });
});
