import { renameSync, writeFileSync } from 'node:fs';
import { checkSandbox } from './emulator/sandbox-check';

/** Readers poll for the file: they must never see half of it. */
function write(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** `node dist/scripts/sandbox-check.js [stack] [--json FILE]`: deploy and destroy one stack with the sandbox. */
const [stack = 'ebs-snapshot-lifecycle', flag, file] = process.argv.slice(2);
checkSandbox(stack).then(
  (result) => {
    if (flag === '--json' && file) write(file, JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
  },
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (flag === '--json' && file) write(`${file}.error`, message);
    console.error(message);
    process.exitCode = 1;
  },
);
