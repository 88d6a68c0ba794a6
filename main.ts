import { App } from 'cdktf';
import { join } from 'node:path';
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
