import { writeFileSync } from 'node:fs';
import { startEmulator, warmUp } from './emulator/emulator';
import { findMoto, motoMissingNote } from './emulator/moto';

/**
 * Runs the emulator (moto + stand-ins) in the foreground until SIGTERM/SIGINT:
 * `node dist/scripts/emulator-server.js [--port N] [--info FILE]`. Prints `endpoint=<url>`; with --info, also
 * writes {pid, endpoint, moto} to FILE once it answers (the sandbox starts it detached and waits for that).
 */
async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const moto = findMoto();
  if (!moto) throw new Error(motoMissingNote());
  const port = option('--port');
  const emulator = await startEmulator(moto, { ...(port ? { port: Number(port) } : {}) });
  await warmUp(emulator.moto.endpoint);
  const info = option('--info');
  if (info) {
    writeFileSync(
      info,
      JSON.stringify(
        { pid: process.pid, endpoint: emulator.endpoint, moto: emulator.moto.endpoint },
        null,
        2,
      ) + '\n',
    );
  }
  console.log(`endpoint=${emulator.endpoint}`);
  const stop = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
