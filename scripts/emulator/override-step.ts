import type { SynthStep } from '../synth-steps';
import { applyEmulatorSetting, emulatorEndpointFromEnv, ENDPOINT_SETTING } from './override';

/** Thrown when the emulator override is asked of an HCL synth: it reads the JSON configuration. */
export class EmulatorOverrideHclError extends Error {
  override readonly name = 'EmulatorOverrideHclError';
}

/**
 * With OPS_AUTOPILOT_AWS_ENDPOINT set, writes the emulator override beside each stack after synth (and
 * removes a stale one without it). Needs the JSON synth: with `--hcl` it fails rather than skip the override.
 */
export function emulatorOverrideStep(env: NodeJS.ProcessEnv = process.env): SynthStep {
  return {
    name: 'emulator-override',
    finish: (ctx) => {
      if (emulatorEndpointFromEnv(env) && ctx.app.hclOutput) {
        throw new EmulatorOverrideHclError(
          `${ENDPOINT_SETTING} needs the JSON synth (cdk.tf.json); unset it or synth without --hcl`,
        );
      }
      applyEmulatorSetting(ctx.app.outdir, env);
    },
  };
}
