import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../scripts/offline-proof';

const run = promisify(execFile);
/** What a fresh clone does not hold: installs, build and synth output, this machine's own values and state. */
const LOCAL =
  /^(node_modules|dist|cdktf\.out.*|\.git|\.cache|coverage|\.agents|terraform\.tfvars|.*\.tfstate.*)$/;

export interface CopyOptions {
  /** Packages (unscoped) copied instead of linked, so a test may edit them. Default: none. */
  readonly ownPackages?: readonly string[];
  /**
   * Whether the copy also holds this checkout's build (dist/ with its build state), so its first build
   * rebuilds only what differs: a full build costs half a minute of CPU. Default: false (as a fresh clone).
   */
  readonly withBuild?: boolean;
}

/**
 * The project as a fresh clone holds it, in a new folder, with this checkout's node_modules linked: for
 * tests that edit sources or run the cdktf CLI without touching the checkout other tests read.
 */
export function copyProject({ ownPackages = [], withBuild = false }: CopyOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ops-autopilot-copy-'));
  for (const entry of readdirSync(ROOT).filter((e) => !LOCAL.test(e)))
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  if (withBuild && existsSync(join(ROOT, 'dist')))
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  const modules = join(ROOT, 'node_modules');
  if (ownPackages.length === 0) symlinkSync(modules, join(dir, 'node_modules'), 'dir');
  else {
    mkdirSync(join(dir, 'node_modules'));
    for (const entry of readdirSync(modules)) {
      const [from, to] = [join(modules, entry), join(dir, 'node_modules', entry)];
      if (ownPackages.includes(entry))
        cpSync(from, to, { recursive: true, preserveTimestamps: true });
      else symlinkSync(from, to);
    }
  }
  return dir;
}

/** Runs the project's cdktf CLI (`npx cdktf ...`) in `dir`, local backend, no terraform.tfvars. */
export async function cdktf(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('npx', ['--no', 'cdktf', ...args], {
    cwd: dir,
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      OPS_AUTOPILOT_BACKEND: 'local',
      OPS_AUTOPILOT_TFVARS: '',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
