import { parseSandboxArgs, sandbox, type SandboxArgs } from './emulator/sandbox';

/** `npm run sandbox [-- <stack>...] [-- --destroy]`: the stacks on a local AWS emulator (emulator/sandbox.ts). */
function main(): void {
  let args: SandboxArgs;
  try {
    args = parseSandboxArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
    return;
  }
  sandbox(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}

main();
