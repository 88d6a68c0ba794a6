import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { PROOF_CACHE_SETTING, proveStack, sharedSynth } from '../../scripts/offline-proof';
import { SharedProvider } from '../../scripts/shared-provider';
import { describeOffline, offlineTools, variantVarFile } from '../support/offline';

const STACK = 'ebs-snapshot-lifecycle';

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return (
          Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The AWS provider process the shell `pid` holds (the shell also runs a watcher of its stdin). */
const providerOf = (pid: number): number | undefined =>
  childrenOf(pid).find((c) => {
    try {
      return readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('terraform-provider-aws');
    } catch {
      return false;
    }
  });

/** Whether the process ends within 10 s. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describeOffline('one provider process shared by the offline commands of a test process', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('a plan through the shared provider, after a plan with other settings, equals one on a provider of its own', async () => {
    // Prepare: nothing kept between the plans but the provider process itself
    delete process.env[PROOF_CACHE_SETTING];
    expect(await SharedProvider.for(offlineTools!.mirror)).toBeDefined();
    await proveStack(
      offlineTools!,
      await sharedSynth(),
      STACK,
      variantVarFile({ region: 'eu-west-1' }),
    );

    // Act
    const shared = await proveStack(offlineTools!, await sharedSynth(), STACK);
    process.env.OPS_AUTOPILOT_SHARED_PROVIDER = 'off';
    const own = await proveStack(offlineTools!, await sharedSynth(), STACK);

    // Assess
    expect(shared.validate).toEqual(own.validate);
    expect(shared.planWarnings).toEqual(own.planWarnings);
    expect(shared.plan.resource_changes).toEqual(own.plan.resource_changes);
    expect(shared.plan.planned_values).toEqual(own.plan.planned_values);
    expect(JSON.stringify(shared.plan)).toContain('us-east-1');
    expect(JSON.stringify(shared.plan)).not.toContain('eu-west-1');
  }, 300_000);

  test('the provider ends with the test process, even when that process is killed', async () => {
    // Prepare: a process that holds a shared provider, from this checkout's source
    const bundle = join(mkdtempSync(join(tmpdir(), 'shared-provider-')), 'holder.js');
    buildSync({
      stdin: {
        contents:
          `import { SharedProvider } from './scripts/shared-provider';\n` +
          `SharedProvider.for(${JSON.stringify(offlineTools!.mirror)}).then((p) => {\n` +
          `  console.log('shell=' + p?.pid);\n  setInterval(() => undefined, 1000);\n});\n`,
        resolveDir: join(__dirname, '..', '..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      outfile: bundle,
    });
    const holder = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
    const shell = await new Promise<number>((resolve, reject) => {
      let out = '';
      holder.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const found = /shell=(\d+)/.exec(out);
        if (found) resolve(Number(found[1]));
      });
      holder.on('exit', (code) => reject(new Error(`the holder exited (${code}): ${out}`)));
    });
    const provider = providerOf(shell);
    expect(provider).toBeDefined();

    // Act
    holder.kill('SIGKILL');

    // Assess
    expect(await gone(provider!)).toBe(true);
  }, 180_000);

  test("a provider of a caller's own runs in the folder given, where relative zip paths resolve, and close() ends it", async () => {
    // Prepare
    const folder = mkdtempSync(join(tmpdir(), 'own-provider-'));
    const own = await SharedProvider.own(offlineTools!.mirror, folder);
    const provider = providerOf(own.pid!);

    // Act
    const cwd = readlinkSync(`/proc/${provider}/cwd`);
    own.close();

    // Assess
    expect(cwd).toBe(folder);
    expect(await gone(provider!)).toBe(true);
  }, 180_000);

  test('a provider of its own started with a lower priority has it in every thread', async () => {
    // Prepare
    const niceOfTask = (path: string) =>
      Number(readFileSync(path, 'utf8').split(') ')[1]!.split(' ')[16]);
    const ours = niceOfTask(`/proc/${process.pid}/stat`);

    // Act
    const own = await SharedProvider.own(offlineTools!.mirror, undefined, 5);
    const provider = providerOf(own.pid!);
    const threads = readdirSync(`/proc/${provider}/task`).map((t) =>
      niceOfTask(`/proc/${provider}/task/${t}/stat`),
    );
    own.close();

    // Assess
    expect(threads.length).toBeGreaterThan(1);
    expect(new Set(threads)).toEqual(new Set([Math.min(ours + 5, 19)]));
    expect(await gone(provider!)).toBe(true);
  }, 180_000);

  test('a shared provider that dies is replaced, and a command on one that ended fails at once, saying so', async () => {
    // Prepare
    const first = await SharedProvider.for(offlineTools!.mirror);
    const own = await SharedProvider.own(offlineTools!.mirror);

    // Act
    for (const shell of [first!.pid!, own.pid!]) process.kill(providerOf(shell)!, 'SIGKILL');
    await Promise.all([gone(first!.pid!), gone(own.pid!)]);
    const second = await SharedProvider.for(offlineTools!.mirror);

    // Assess
    expect(second?.pid).not.toBe(first?.pid);
    expect(providerOf(second!.pid!)).toBeDefined();
    await expect(own.exclusive(() => Promise.resolve('ran'))).rejects.toThrow(
      /the shared AWS provider \(shell \d+\) has ended/,
    );
  }, 180_000);
});
