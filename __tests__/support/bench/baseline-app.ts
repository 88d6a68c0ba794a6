import { App } from 'cdktf';
import { join } from 'node:path';
import { addStacks } from '../../../stacks/app';

// The same app built the usual way: the bench bundles this with every deep provider import
// redirected to the package root, and hands cdktf unzipped folders as ARCHIVE assets.
const functionsDir = join(process.env.OPS_AUTOPILOT_DIST ?? join(__dirname, '..'), 'functions');
const app = new App();
addStacks(app, {
  codeSource: {
    code: (name) => ({ zipPath: join(functionsDir, name), sha256Base64: '', kind: 'directory' }),
  },
  backend: { kind: 'local' },
});
app.synth();
