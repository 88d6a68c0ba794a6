import { parse } from '@cdktf/hcl2json';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, stackNames, sharedSynth } from '../../scripts/offline-proof';
import { escapeHclTemplate, PROVIDER_REGION_CHECK } from '../../scripts/hcl-module';
import { synthHcl, validateModule, type ValidateResult } from '../../scripts/hcl-proof';
import { describeOffline, offlineTools } from '../support/offline';

type Json = Record<string, unknown>;
const isDict = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Both configs in one shape: singleton lists of objects (HCL blocks, JSON single blocks) unwrapped, no metadata. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 && isDict(v[0]) ? canonical(v[0]) : v.map(canonical);
  if (isDict(v))
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => k !== '//')
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

function mergeInto(target: Json, source: Json): Json {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (Array.isArray(t) && Array.isArray(v)) target[k] = [...t, ...v];
    else if (isDict(t) && isDict(v)) mergeInto(t, v);
    else target[k] = v;
  }
  return target;
}

/**
 * Whitespace outside string literals inside `${...}`, removed: the formatter (terraform fmt style) respaces
 * expressions, and hcl2json returns expressions as source text. String literals stay as they are.
 */
function squashExpressions(s: string): string {
  let out = '';
  let i = 0;
  const quoted = (): void => {
    out += s[i++]; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') out += s[i++];
      if (s.startsWith('${', i)) expression();
      else out += s[i++] ?? '';
    }
    out += s[i++] ?? '';
  };
  const expression = (): void => {
    out += '${';
    i += 2;
    for (let depth = 1; i < s.length && depth > 0; ) {
      const c = s[i] as string;
      if (c === '"') quoted();
      else {
        if (c === '{') depth++;
        if (c === '}') depth--;
        if (!/\s/.test(c)) out += c;
        i++;
      }
    }
  };
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      out += '$${';
      i += 3;
    } else if (s.startsWith('${', i)) expression();
    else out += s[i++];
  }
  return out;
}

function squashAll(v: unknown): unknown {
  if (typeof v === 'string') return squashExpressions(v);
  if (Array.isArray(v)) return v.map(squashAll);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, squashAll(x)]));
  return v;
}

/** hcl2json shows bare expressions as "${...}": references and type constraints, which JSON writes bare. */
const bare = (s: unknown) => (typeof s === 'string' ? s.replace(/^\$\{(.*)\}$/s, '$1') : s);
function unwrapReferences(v: unknown, key = ''): unknown {
  if (Array.isArray(v))
    return ['depends_on', 'ignore_changes', 'replace_triggered_by'].includes(key)
      ? v.map(bare)
      : v.map((x) => unwrapReferences(x, key));
  if (isDict(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapReferences(x, k)]));
  return v;
}

/** Every .tf file of a synthesized module folder, as Terraform's JSON syntax (hcl2json: the Go HCL parser). */
async function hclConfig(dir: string): Promise<Json> {
  const config: Json = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort())
    mergeInto(config, await parse(file, readFileSync(join(dir, file), 'utf8')));
  for (const k of ['terraform', 'locals'])
    if (Array.isArray(config[k])) config[k] = [Object.assign({}, ...(config[k] as Json[]))];
  for (const blocks of Object.values((config.variable as Record<string, Json[]>) ?? {}))
    for (const b of blocks) b.type = bare(b.type);
  return unwrapReferences(config) as Json;
}

function differences(json: unknown, hcl: unknown, path: string, out: string[]): string[] {
  if (JSON.stringify(json) === JSON.stringify(hcl)) return out;
  if (isDict(json) && isDict(hcl)) {
    for (const k of new Set([...Object.keys(json), ...Object.keys(hcl)]))
      differences(json[k], hcl[k], `${path}.${k}`, out);
  } else if (Array.isArray(json) && Array.isArray(hcl) && json.length === hcl.length) {
    json.forEach((x, i) => differences(x, hcl[i], `${path}[${i}]`, out));
  } else out.push(`${path}: JSON ${JSON.stringify(json)} / HCL ${JSON.stringify(hcl)}`);
  return out;
}

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

const run = promisify(execFile);
let jsonOut: string;
let hclOut: string;
let hclAgain: string;
let stacks: string[];
beforeAll(async () => {
  [jsonOut, hclOut, hclAgain] = await Promise.all([sharedSynth(), synthHcl(), synthHcl()]);
  stacks = stackNames(jsonOut);
}, 60_000);

const jsonConfig = (stack: string) =>
  JSON.parse(readFileSync(join(jsonOut, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Json;
const moduleDir = (stack: string) => join(hclOut, 'stacks', stack);

describe('npm run synth:hcl (dist/main-hcl.js)', () => {
  test('writes one HCL module folder per stack of the app', () => {
    expect(stackNames(hclOut)).toEqual(stacks);
    expect(stacks.length).toBeGreaterThanOrEqual(5);
    for (const stack of stacks) {
      expect(existsSync(join(moduleDir(stack), 'cdk.tf'))).toBe(true);
      expect(existsSync(join(moduleDir(stack), 'cdk.tf.json'))).toBe(false);
    }
  });

  test('each module has no backend and no provider configuration, and requires hashicorp/aws 5.100.0', async () => {
    for (const stack of stacks) {
      const config = await hclConfig(moduleDir(stack));
      expect(config.provider).toBeUndefined();
      expect(canonical(config.terraform)).toEqual({
        required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } },
      });
    }
  });

  test('means exactly what the JSON synth means, but for the module shape (a whole-config comparison)', async () => {
    // Expected differences only: no provider block or backend, the provider source spelled out, the region
    // guard, and asset paths relative to the module. Everything else, JSON-encoded policies and state
    // machine definitions included, must parse to the same values (terraform-cdk #3911 and the rest).
    for (const stack of stacks) {
      const json = jsonConfig(stack);
      const hcl = await hclConfig(moduleDir(stack));
      delete json.provider;
      const terraform = json.terraform as Json;
      delete terraform.backend;
      delete terraform.cloud;
      (terraform.required_providers as Record<string, Json>).aws!.source = 'hashicorp/aws';
      for (const fn of Object.values(
        ((json.resource as Record<string, Json>).aws_lambda_function ?? {}) as Record<string, Json>,
      ))
        fn.filename = `\${path.module}/${String(fn.filename)}`;
      const regionGuard = (hcl.data as Record<string, Json>).aws_region;
      expect(Object.keys(regionGuard ?? {})).toEqual([PROVIDER_REGION_CHECK]);
      delete (hcl.data as Record<string, Json>).aws_region;

      expect(differences(squashAll(canonical(json)), squashAll(canonical(hcl)), stack, [])).toEqual(
        [],
      );
    }
  });

  test('the comparison sees JSON documents and falsy variable defaults (it can fail)', async () => {
    const hcl = canonical(await hclConfig(moduleDir('ebs-snapshot-lifecycle'))) as Json;
    const policies = (hcl.resource as Record<string, Record<string, Json>>).aws_iam_role_policy!;
    // A policy with no list spliced in from a variable (those are JSON only once Terraform evaluates them).
    const plain = Object.values(policies).find((p) => !String(p.policy).includes('${jsonencode('));
    const policy = JSON.parse(String(plain!.policy)) as {
      Statement: unknown[];
    };
    expect(policy.Statement.length).toBeGreaterThan(0);
    expect(JSON.stringify(policy)).toContain('arn:${data.aws_partition.partition.partition}:');
    const variables = hcl.variable as Record<string, Json>;
    expect(variables.alert_email!.default).toBe('');
    expect(variables.snapshot_table_point_in_time_recovery!.default).toBe(false);
  });

  test('handler zips are FILE assets inside each module folder, byte-identical to the build, hashed honestly', async () => {
    let zips = 0;
    for (const stack of stacks) {
      const hcl = canonical(await hclConfig(moduleDir(stack))) as Json;
      const fns = Object.values(
        ((hcl.resource as Record<string, Json>).aws_lambda_function ?? {}) as Record<string, Json>,
      );
      for (const fn of fns) {
        const filename = String(fn.filename);
        expect(filename).toMatch(/^\$\{path\.module\}\/assets\/.+\.zip$/);
        const zip = readFileSync(join(moduleDir(stack), filename.replace('${path.module}/', '')));
        const built = readFileSync(join(ROOT, 'dist', 'assets', filename.split('/').pop()!));
        expect(zip.equals(built)).toBe(true);
        expect(fn.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
        zips++;
      }
    }
    expect(zips).toBeGreaterThanOrEqual(8);
  });

  test('is byte-identical across two runs and holds no path of this machine', () => {
    const [first, second] = [tree(hclOut), tree(hclAgain)];
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    const differing = [...first].filter(
      ([p, bytes]) => !bytes.equals(second.get(p) ?? Buffer.alloc(0)),
    );
    expect(differing.map(([p]) => p)).toEqual([]);
    const leaking = [...first]
      .filter(([p, bytes]) => /\.(tf|json)$/.test(p) && bytes.toString('utf8').includes(ROOT))
      .map(([p]) => p);
    expect(leaking).toEqual([]);
  });

  test('refuses to write into a folder that holds a JSON synth (cdk.tf.json and cdk.tf would mix)', async () => {
    const failed = await run(process.execPath, [join(ROOT, 'dist', 'main-hcl.js')], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: jsonOut },
    }).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(failed).toContain('holds a JSON synth');
    expect(existsSync(join(jsonOut, 'stacks', 'ebs-snapshot-lifecycle', 'cdk.tf'))).toBe(false);
  });
});

describe('escapeHclTemplate', () => {
  /** What the Go HCL parser reads back from `x = "<escaped>"`. */
  async function readBack(body: string): Promise<unknown> {
    const parsed = (await parse('t.tf', `locals {\n  x = "${body}"\n}\n`)) as {
      locals: Array<{ x: unknown }>;
    };
    return parsed.locals[0]!.x;
  }

  test.each([
    ['a JSON policy with references', '{"Resource":"arn:${var.p}:s3:::${var.b}/*","Sid":"A"}'],
    ['quotes and a template inside an interpolation', '{"c":"${lower("Q \\"x\\" ${var.y}")}"}'],
    ['backslashes and escaped quotes (JSON in JSON)', '{"d":"{\\"a\\":\\"\\\\n\\"}"} ${var.z}'],
    ['line breaks, tabs and control characters', 'one\ntwo\r\n\tthree \u0001 ${var.n}'],
    ['template escapes', 'lit $${x} %%{y} ${var.a}'],
    ['braces and a regex in a function call', '${can(regex("^[0-9]{12}$", var.a))} {x}'],
    ['no template at all', 'say "hi" \\ bye'],
  ])('keeps the meaning of %s', async (_label, s) => {
    expect(await readBack(escapeHclTemplate(s))).toBe(s);
  });

  test('leaves directives as they are (the parser reads them back in its own spelling)', () => {
    const s = 'say "%{ if var.b }yes%{ else }no%{ endif }"';
    expect(escapeHclTemplate(s)).toBe('say \\"%{ if var.b }yes%{ else }no%{ endif }\\"');
  });

  test('escapes template sequences too in literal values (JSON-syntax variable defaults)', async () => {
    expect(escapeHclTemplate('a ${b} %{c}', true)).toBe('a $${b} %%{c}');
  });

  test('rejects an unterminated interpolation instead of printing broken HCL', () => {
    expect(() => escapeHclTemplate('arn:${var.x')).toThrow(/unterminated/);
  });
});

describeOffline('terraform validate of each stack as an HCL module (offline)', () => {
  let results: Array<[string, ValidateResult]>;
  beforeAll(async () => {
    results = await Promise.all(
      stacks.map(
        async (s) =>
          [s, await validateModule(offlineTools!, moduleDir(s))] as [string, ValidateResult],
      ),
    );
  }, 240_000);

  test('every module is valid, without warnings', () => {
    expect(results.map(([s]) => s)).toEqual(stacks);
    for (const [stack, result] of results)
      expect({ stack, ...result }).toMatchObject({
        stack,
        valid: true,
        error_count: 0,
        warning_count: 0,
      });
  });
});
