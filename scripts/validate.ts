import {
  proveStack,
  requireOfflineTools,
  resourceCounts,
  stackNames,
  synthAll,
} from './offline-proof';

/** `npm run validate`: the offline Terraform proof of every stack (init, validate, plan, show). */
async function main(): Promise<void> {
  const tools = requireOfflineTools();
  if (!tools) {
    console.warn(
      'offline proof skipped: terraform or the provider mirror is missing (mandatory when CI=true)',
    );
    return;
  }
  const outdir = await synthAll();
  let failed = 0;
  for (const stack of stackNames(outdir)) {
    const started = Date.now();
    try {
      const proof = await proveStack(tools, outdir, stack);
      if (!proof.validate.valid)
        throw new Error(JSON.stringify(proof.validate.diagnostics, null, 2));
      const counts = resourceCounts(proof.plan);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      console.log(
        `ok   ${stack}: valid, plans ${total} resources (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    } catch (error) {
      failed++;
      console.error(`FAIL ${stack}: ${(error as Error).message}`);
    }
  }
  console.log(`mirror: ${tools.mirror}; synthesized into ${outdir}`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
