import { spawn, type ChildProcess } from 'node:child_process';
import { offlineEnv, providerBinary } from './terraform-env';

/**
 * One AWS provider process that this process's offline `terraform validate`, `plan` and `show` attach to,
 * instead of each starting the provider again: every start costs seconds of CPU to build its schema, and
 * a plan starts it twice. The binary is the mirror's, served through Terraform's documented reattach
 * setting (TF_REATTACH_PROVIDERS, the provider's `-debug` mode):
 * https://developer.hashicorp.com/terraform/plugin/debugging#running-terraform-with-a-provider-in-debug-mode
 *
 * A reattached provider is configured by each command in turn, so the commands that share it run one at a
 * time (`exclusive`): two plans with different provider settings must never interleave.
 */
export class SharedProvider {
  private static started: Promise<SharedProvider | undefined> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the provider process has ended (killed, crashed or closed): no command may attach to it. */
  private ended = false;

  private constructor(
    private readonly child: ChildProcess,
    /** The value of TF_REATTACH_PROVIDERS that attaches to this process. */
    readonly reattach: string,
  ) {
    child.on('exit', () => (this.ended = true));
  }

  /**
   * This process's shared provider; undefined when it cannot start or OPS_AUTOPILOT_SHARED_PROVIDER is
   * `off`, and then each command starts its own.
   */
  static async for(mirror: string): Promise<SharedProvider | undefined> {
    if (process.env.OPS_AUTOPILOT_SHARED_PROVIDER === 'off') return undefined;
    // A provider that ended is replaced: a command attached to it would wait on a socket nobody serves.
    if ((await SharedProvider.started)?.ended) SharedProvider.started = undefined;
    SharedProvider.started ??= SharedProvider.own(mirror).catch(() => undefined);
    return SharedProvider.started;
  }

  /**
   * A provider process of the caller's own, for one chain of commands (the deploy proof's commands on one
   * stack); the caller ends it with `close()`, and it ends with this process in any case. `cwd` is where
   * the provider resolves relative paths (a function's zip): Terraform starts a provider in the
   * configuration's folder, so a reattached one that applies must run there too. `nice` lowers its
   * priority (the `nice` command, so every thread of the Go process has it).
   */
  static own(mirror: string, cwd?: string, nice = 0): Promise<SharedProvider> {
    const binary = providerBinary(mirror);
    if (!binary) return Promise.reject(new Error(`no AWS provider binary in the mirror ${mirror}`));
    // A reattached provider reads credentials from its own environment, not from each command's. Without
    // a CA bundle: the provider adds one to a client it keeps, and fails on its second configuration
    // ("unable to add custom RootCAs HTTPClient"); offline plans call only the local http stub anyway.
    const { AWS_CA_BUNDLE: _bundle, ...env } = offlineEnv('');
    // The provider outlives no test process, however it ends: a debug-mode provider ignores SIGTERM, so a
    // shell holds it and kills it when this process's end of its stdin closes. The shell ends with the
    // provider, so a provider that dies is seen (`ended`).
    // (A background list reads /dev/null unless redirected: the watcher reads this stdin through fd 3.)
    const niced = nice > 0 ? `nice -n ${nice} ` : '';
    const script = `exec 3<&0; ${niced}"$0" -debug & p=$!; { read _ <&3; kill -9 $p; } & wait $p`;
    const child = spawn('/bin/sh', ['-c', script, binary], {
      env,
      ...(cwd ? { cwd } : {}),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const unref = (stream: unknown) => (stream as { unref?: () => void }).unref?.();
    child.unref();
    unref(child.stdin);
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        child.stdin!.end();
        reject(new Error(`the provider printed no reattach setting in 120 s: ${output}`));
      }, 120_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the provider exited (${code}) before it could be shared`));
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const found = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(output);
        if (!found) return;
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        unref(child.stdout);
        resolve(new SharedProvider(child, found[1]!));
      });
    });
  }

  /** Runs `task` after every task queued before it has ended: one command at a time on this provider. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = () => {
      if (this.ended)
        return Promise.reject(
          new Error(
            `the shared AWS provider (shell ${this.pid}) has ended: its commands cannot run`,
          ),
        );
      return task();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The environment of a command that attaches to this provider. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...base, TF_REATTACH_PROVIDERS: this.reattach };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the provider process: the shell holding it kills it when its stdin closes. */
  close(): void {
    this.child.stdin?.end();
  }
}
