import { App } from 'cdktf';
import { join } from 'node:path';
import { assertNoJsonSynth } from './scripts/hcl-module';
import { hclModules, synthWithSteps } from './scripts/synth-steps';
import { addStacks, STACKS } from './stacks/app';
import { PrebuiltCodeSource } from './stacks/platform/code-source';

// `npm run synth:hcl`: every stack as a reusable Terraform module in HCL (bundled to dist/main-hcl.js, next to
// dist/assets). No backend and no provider block in the output: the calling root module owns both.
const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out.hcl';
assertNoJsonSynth(outdir, Object.keys(STACKS));
// cdktf 0.21 names the files after App `hclOutput` but each stack's synthesizer reads only SYNTH_HCL_OUTPUT
// (set before the stacks exist); without it cdk.tf would hold JSON.
process.env.SYNTH_HCL_OUTPUT = 'true';
const app = new App({ outdir, hclOutput: true });
const stacks = addStacks(app, {
  codeSource: new PrebuiltCodeSource(join(__dirname, 'assets')),
  backend: { kind: 'local' }, // left out of the modules
});
synthWithSteps(app, stacks, [hclModules()]).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
