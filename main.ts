import { App } from 'cdktf';
import { join } from 'node:path';
import { emulatorOverrideStep } from './scripts/emulator/override-step';
import { cliHclOutput, stackVariables, synthWithSteps } from './scripts/synth-steps';
import { addStacks } from './stacks/app';
import { backendFromEnv } from './stacks/platform/backend';
import { PrebuiltCodeSource } from './stacks/platform/code-source';

// Bundled to dist/main.js by the build step, next to dist/assets. `cdktf synth` runs it; with `--hcl` the
// CLI sets SYNTH_HCL_OUTPUT and the HCL step fixes the rendering. Steps run in list order after app.synth().
const app = new App();
const stacks = addStacks(app, {
  codeSource: new PrebuiltCodeSource(join(__dirname, 'assets')),
  backend: backendFromEnv(),
});
// OPS_AUTOPILOT_AWS_ENDPOINT: emulatorOverrideStep writes an override file beside each stack pointing it at an AWS emulator.
synthWithSteps(app, stacks, [cliHclOutput(), stackVariables(), emulatorOverrideStep()]).catch(
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
