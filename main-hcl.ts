import { App } from 'cdktf';
import { join } from 'node:path';
import { assertNoJsonSynth, asHclModule, formatModule, writeHclExtras } from './scripts/hcl-module';
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
for (const stack of stacks) asHclModule(stack);
app.synth();

async function finish(): Promise<void> {
  for (const stack of stacks) {
    const dir = join(outdir, 'stacks', stack.node.id);
    writeHclExtras(dir, stack);
    await formatModule(dir);
  }
}

finish().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
