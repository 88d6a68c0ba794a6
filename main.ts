import { App } from 'cdktf';
import { join } from 'node:path';
import { applyEmulatorSetting } from './scripts/emulator/override';
import { addStacks } from './stacks/app';
import { backendFromEnv } from './stacks/platform/backend';
import { PrebuiltCodeSource } from './stacks/platform/code-source';

// Bundled to dist/main.js by the build step, next to dist/assets.
const app = new App();
addStacks(app, {
  codeSource: new PrebuiltCodeSource(join(__dirname, 'assets')),
  backend: backendFromEnv(),
});
app.synth();
// OPS_AUTOPILOT_AWS_ENDPOINT: an override file beside each stack points it at an AWS emulator.
applyEmulatorSetting(app.outdir);
