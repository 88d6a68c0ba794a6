import { parse } from '@cdktf/hcl2json';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runBuiltApp, stackNames } from '../../scripts/offline-proof';
import { validateModule, type ValidateResult } from '../../scripts/hcl-proof';
import { describeOffline, offlineTools } from '../support/offline';
import { cdktf, copyProject } from '../support/project-copy';

type Json = Record<string, unknown>;
type Functions = Map<string, { hash: string; zip: Buffer }>;

function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return files;
}

const stackJson = (out: string, stack: string) =>
  JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
    resource: Record<string, Record<string, Json>>;
  };

/** Every Lambda function of a synth, as `<stack>/<bundle>`: its source_code_hash and the zip it ships. */
function functions(out: string): Functions {
  const found: Functions = new Map();
  for (const stack of stackNames(out)) {
    for (const fn of Object.values(stackJson(out, stack).resource.aws_lambda_function ?? {}))
      found.set(`${stack}/${/([^/]+)\.zip$/.exec(String(fn.filename))?.[1]}`, {
        hash: String(fn.source_code_hash),
        zip: readFileSync(join(out, 'stacks', stack, String(fn.filename))),
      });
  }
  return found;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
const lastBuild = (project: string) =>
  JSON.parse(readFileSync(join(project, 'dist', '.build-last-run.json'), 'utf8')) as {
    rebuilt: string[];
  };

let project: string;
/** `npx cdktf <args> --output <new folder>` in the copy; gives the folder. */
async function synthTo(args: readonly string[]): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'cdktf-cli-'));
  await cdktf(project, [...args, '--output', out]);
  return out;
}

// Each CLI run costs about 10 CPU-s: the synth after the touch is also the one the first is compared with
// (reproducible but for the touched function) and the one the HCL synth is compared with (same sources).
// That a build with nothing changed rebuilds nothing is scripts/build.test.ts's.
let first: string;
let touched: string;
let touchedBuild: { rebuilt: string[] };
let hclOut: string;
beforeAll(async () => {
  project = copyProject({ withBuild: true });
  first = await synthTo(['synth']);
  appendFileSync(
    join(project, 'functions', 'ecs-drain', 'drain.handler.ts'),
    "\nconsole.log('changed after the first synth');\n",
  );
  touched = await synthTo(['synth']);
  touchedBuild = lastBuild(project);
  hclOut = await synthTo(['synth', '--hcl']);
}, 600_000);

describe('npx cdktf synth in a copy of the project and its build (the app command builds first)', () => {
  test('a second synth is byte-identical but for the stack of the one handler changed in between', () => {
    const [a, b] = [tree(first), tree(touched)];
    const drain = /^stacks\/ecs-autoscaling-drain\/(cdk\.tf\.json$|assets\/drain_code_)/;
    const paths = [...new Set([...a.keys(), ...b.keys()])];
    expect(
      paths.filter((p) => !drain.test(p) && !a.get(p)?.equals(b.get(p) ?? Buffer.alloc(0))),
    ).toEqual([]);
    expect(paths.filter((p) => drain.test(p)).length).toBeGreaterThan(1);
    expect([...a.keys()].filter((p) => p.endsWith('.zip')).length).toBeGreaterThanOrEqual(8);
  });

  test("after one handler's source changed, only that function ships a new zip, rebuilt alone", () => {
    const [before, after] = [functions(first), functions(touched)];
    const changed = [...after].filter(([name, fn]) => before.get(name)?.hash !== fn.hash);
    expect(changed.map(([name]) => name)).toEqual(['ecs-autoscaling-drain/ecs-drain-drain']);
    for (const [name, fn] of after) {
      expect(sha256(fn.zip)).toBe(fn.hash);
      if (name !== 'ecs-autoscaling-drain/ecs-drain-drain')
        expect(fn.zip.equals(before.get(name)!.zip)).toBe(true);
    }
    expect(after.size).toBeGreaterThanOrEqual(8);
    expect(touchedBuild.rebuilt).toEqual(['handler:ecs-drain-drain']);
  });
});

/** A parsed .tf file of a stack folder (hcl2json: Terraform's JSON syntax, blocks as lists). */
async function hclFile(
  dir: string,
  file: string,
): Promise<Record<string, Json[] | Record<string, Json>>> {
  return (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Record<
    string,
    Json[] | Record<string, Json>
  >;
}

/** Every `policy` string of a configuration's resources, by `<type>.<name>`, spaces inside `${}` removed. */
function policies(resources: Record<string, Record<string, unknown>>): Map<string, string> {
  const found = new Map<string, string>();
  for (const [type, byName] of Object.entries(resources))
    for (const [name, body] of Object.entries(byName)) {
      const attrs = (Array.isArray(body) ? body[0] : body) as Json;
      if (typeof attrs.policy === 'string')
        found.set(`${type}.${name}`, attrs.policy.replace(/\$\{\s*([^}]*?)\s*\}/g, '${$1}'));
    }
  return found;
}

describe('npx cdktf synth --hcl in the copy', () => {
  let jsonOut: string;
  let stacks: string[];
  beforeAll(() => {
    jsonOut = touched;
    stacks = stackNames(hclOut);
  });
  const dir = (stack: string) => join(hclOut, 'stacks', stack);

  test('writes every stack as an HCL root configuration: backend and provider kept, check blocks beside', async () => {
    expect(stacks.length).toBeGreaterThanOrEqual(5);
    for (const stack of stacks) {
      const config = await hclFile(dir(stack), 'cdk.tf');
      const terraform = (config.terraform as Json[])[0] as { backend?: Record<string, unknown> };
      expect(Object.keys(terraform.backend ?? {})).toEqual(['local']);
      expect(Object.keys(config.provider ?? {})).toEqual(['aws']);
      expect(existsSync(join(dir(stack), 'cdk.tf.json'))).toBe(false);
      const checks = (stackJson(jsonOut, stack) as { check?: object }).check ?? {};
      expect(existsSync(join(dir(stack), 'checks.tf'))).toBe(Object.keys(checks).length > 0);
    }
  });

  test('policies mean what the JSON synth says (the KMS key policy of capacity-reservations among them)', async () => {
    let compared = 0;
    for (const stack of stacks) {
      const json = policies(stackJson(jsonOut, stack).resource);
      const hcl = policies((await hclFile(dir(stack), 'cdk.tf')).resource as Record<string, Json>);
      expect([...hcl.keys()].sort()).toEqual([...json.keys()].sort());
      for (const [address, policy] of json)
        expect({ address, policy: hcl.get(address) }).toEqual({ address, policy });
      compared += json.size;
    }
    const capacity = policies(stackJson(jsonOut, 'capacity-reservations').resource);
    expect([...capacity.keys()].some((a) => a.startsWith('aws_kms_key.'))).toBe(true);
    expect(compared).toBeGreaterThan(10);
  }, 300_000);

  describeOffline('terraform validate of every stack (offline, provider from the mirror)', () => {
    test('every stack is valid, without warnings', async () => {
      const results: Array<[string, ValidateResult]> = [];
      for (const stack of stacks)
        results.push([stack, await validateModule(offlineTools!, dir(stack))]);
      for (const [stack, result] of results)
        expect({ stack, ...result }).toMatchObject({
          stack,
          valid: true,
          error_count: 0,
          warning_count: 0,
        });
      expect(results.length).toBe(stacks.length);
    }, 600_000);
  });
});

describe("the app's HCL mode (SYNTH_HCL_OUTPUT=true) with a Terraform Cloud backend", () => {
  test.each([
    ['a named workspace', {}],
    ['workspaces selected by tags', { OPS_AUTOPILOT_WORKSPACE_TAGS: 'ops-autopilot,env-prod' }],
  ])(
    'writes the cloud block the JSON synth writes, project included, for %s',
    async (_label, mode) => {
      // Prepare
      const env = {
        TF_CLOUD_ORGANIZATION: 'acme',
        TF_CLOUD_PROJECT: 'operations',
        OPS_AUTOPILOT_TFVARS: '',
        ...mode,
      };
      const [json, hcl] = await Promise.all([
        runBuiltApp('main.js', mkdtempSync(join(tmpdir(), 'cloud-json-')), env),
        runBuiltApp('main.js', mkdtempSync(join(tmpdir(), 'cloud-hcl-')), {
          ...env,
          SYNTH_HCL_OUTPUT: 'true',
        }),
      ]);

      // Act
      const fromJson = (
        JSON.parse(readFileSync(join(json, 'stacks', 'ecs-spot-api', 'cdk.tf.json'), 'utf8')) as {
          terraform: { cloud: Json & { workspaces: Json } };
        }
      ).terraform.cloud;
      const terraform = (await hclFile(join(hcl, 'stacks', 'ecs-spot-api'), 'cdk.tf'))
        .terraform as Json[];
      const cloud = (terraform[0]!.cloud as Json[])[0] as Json & { workspaces: Json[] };

      // Assess
      expect({ ...cloud, workspaces: cloud.workspaces[0] }).toEqual(fromJson);
      expect(fromJson.workspaces.project).toBe('operations');
    },
    120_000,
  );
});
