import { renameSync, writeFileSync } from 'node:fs';
import { requireOfflineTools, stackNames, synthAll } from './offline-proof';
import { deployStack, type StackDeployResult } from './emulator/deploy-proof';
import { motoMissingNote, requireMoto } from './emulator/moto';

/** One line per stack: applied/planned, re-plan, destroy, leftovers, timings. */
function summary(r: StackDeployResult): string {
  const status = [
    `${r.applied}/${r.planned} applied`,
    r.applyError ? 'APPLY FAILED' : '',
    r.replanExitCode === 0 ? 're-plan empty' : `re-plan: ${r.drift.length} change(s)`,
    r.destroyError ? 'DESTROY FAILED' : `destroyed (${r.remaining} left in state)`,
    Object.keys(r.leftovers).length > 0
      ? `leftovers ${JSON.stringify(r.leftovers)}`
      : 'no leftovers',
    r.unseen.length > 0 ? `${r.unseen.length} unseen` : '',
    r.scenario?.error ? 'SCENARIO FAILED' : '',
  ].filter(Boolean);
  const t = Object.entries(r.timings)
    .map(([k, v]) => `${k} ${v}s`)
    .join(', ');
  return `${r.stack}: ${status.join('; ')} [${t}]`;
}

/** `node dist/scripts/deploy-proof.js [stack…] [--json FILE]`: the deploy proof from the command line. */
async function main(argv: string[]): Promise<void> {
  const tools = requireOfflineTools();
  const moto = requireMoto();
  if (!tools || !moto)
    throw new Error(tools ? motoMissingNote() : 'terraform or the provider mirror is missing');
  const jsonAt = argv.indexOf('--json');
  const json = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  const only = argv.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));
  const started = performance.now();
  const outdir = await synthAll();
  const stacks = stackNames(outdir).filter((s) => only.length === 0 || only.includes(s));
  // allSettled: every stack stops its emulator before this process exits, even when another one failed.
  const settled = await Promise.allSettled(
    stacks.map(async (s) => {
      const r = await deployStack(tools, moto, outdir, s);
      console.log(summary(r));
      return r;
    }),
  );
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failed.length > 0) throw failed[0];
  const results = settled.map((s) => (s as PromiseFulfilledResult<StackDeployResult>).value);
  console.log(
    `deploy proof of ${stacks.length} stack(s): ${Math.round((performance.now() - started) / 1000)} s`,
  );
  if (json)
    writeAtomically(
      json,
      JSON.stringify({ seconds: (performance.now() - started) / 1000, results }),
    );
}

/** Readers poll for the file: they must never see half of it. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

// Exit through process.exit, so MotoServer's exit hook kills the emulators (a signal skips 'exit').
process.once('SIGTERM', () => process.exit(143));
const argv = process.argv.slice(2);
main(argv).catch((error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(message);
  const at = argv.indexOf('--json');
  if (at >= 0 && argv[at + 1]) writeAtomically(`${argv[at + 1]}.error`, message);
  process.exitCode = 1;
});
