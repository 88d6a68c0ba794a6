import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import {
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformAsset,
  TerraformBackend,
  TerraformElement,
  TerraformProvider,
  TerraformStack,
  TerraformVariable,
  Tokenization,
  type IAspect,
} from 'cdktf';
import { format } from '@cdktf/hcl-tools';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IConstruct } from 'constructs';

/*
 * `npm run synth:hcl` renders every stack with cdktf's HCL synthesizer (App `hclOutput: true`) as a reusable
 * Terraform *module*. cdktf 0.21's HCL renderer (packages/cdktf/lib/hcl/render.ts) has defects that make the
 * output invalid or silently different from the JSON synth, so this file sits between token resolution and
 * rendering: each element's `toHclTerraform()` is wrapped (HCL app only, the JSON synth is untouched) to
 * resolve its fragment and normalize it into values the renderer prints correctly.
 *
 * Renderer defects handled here, all generic (no stack is special-cased):
 *  - terraform-cdk #3911: a string containing `${` is printed between quotes verbatim, so JSON documents
 *    with references (IAM/KMS/SNS policies, state-machine definitions, filter policies, error messages with
 *    quotes) break. Fix: escape the *literal* parts of every template string (`"` `\` newlines, control
 *    characters) and leave `${...}` / `%{...}` sequences untouched; strings without `${` get the same
 *    escaping (the renderer's own quote escaping then finds nothing to do, and backslashes survive).
 *  - lifecycle `precondition`/`postcondition` and output `precondition` printed as `x = [...]` attributes
 *    instead of blocks; `depends_on`, `ignore_changes`, `replace_triggered_by` printed as quoted strings.
 *  - variable defaults that are falsy (`false`, `0`, `""`) and `nullable = false` dropped.
 *  - resource overrides below a block (`addOverride('a.b.dynamic.c', ...)`) dropped; `dynamic` blocks inside
 *    nested blocks printed as a map attribute.
 *  - the fuzzy renderer (variable defaults, output values, lifecycle) prints strings starting with `{`/`[`
 *    or looking like integers unquoted.
 * Stack-level overrides (only `check` blocks here) are not rendered by cdktf at all: `writeHclExtras`
 * writes them to `checks.tf` from the stack's JSON config and fails on any other top-level key.
 *
 * Module shape: no `backend`/`cloud` block, no `provider "aws"` block (the calling root configures the
 * provider and passes it, implicitly or with `providers = { aws = aws.<alias> }`), `required_providers`
 * with source and version, asset paths under `path.module`, and a plan-time guard that the provider's region
 * equals `var.region` (the variable still builds every ARN).
 */

type Dict = Record<string, unknown>;

const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());
/** Logical id of the data source that checks the calling provider's region against `var.region`. */
export const PROVIDER_REGION_CHECK = 'provider_region';

export class HclRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HclRenderError';
  }
}

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Index just past the `}` closing an interpolation or directive whose body starts at `start`. */
function endOfSequence(s: string, start: number): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '"') i = endOfQuoted(s, i + 1) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new HclRenderError(`unterminated template sequence in ${JSON.stringify(s)}`);
}

/** Index just past the `"` closing a quoted string (inside an expression) whose body starts at `start`. */
function endOfQuoted(s: string, start: number): number {
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if ((c === '$' || c === '%') && s[i + 1] === '{') i = endOfSequence(s, i + 2) - 1;
  }
  throw new HclRenderError(`unterminated string in expression ${JSON.stringify(s)}`);
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return c < ' ' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
  }
}

/**
 * The body of an HCL quoted template with the same meaning as `s` has in Terraform's JSON syntax:
 * literal characters escaped, `${...}` and `%{...}` sequences (and their `$${` / `%%{` escapes) kept.
 * With `literal`, `s` is a plain value (JSON-syntax variable defaults and descriptions are not templates):
 * `${` and `%{` are escaped too.
 */
export function escapeHclTemplate(s: string, literal = false): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const two = s.slice(i, i + 2);
    if (!literal && (s.startsWith('$${', i) || s.startsWith('%%{', i))) {
      out += s.slice(i, i + 3);
      i += 3;
    } else if (two === '${' || two === '%{') {
      if (literal) {
        out += `${two[0]}${two}`;
        i += 2;
      } else {
        const end = endOfSequence(s, i + 2);
        const sequence = s.slice(i, end);
        if (/[\r\n]/.test(sequence))
          throw new HclRenderError(
            `a line break inside ${sequence} cannot be rendered in a quoted HCL string`,
          );
        out += sequence;
        i = end;
      }
    } else {
      out += escapeChar(s[i] as string);
      i++;
    }
  }
  return out;
}

/** Strips a whole-string interpolation: `${aws_x.y}` -> `aws_x.y` (references are printed bare). */
function bareReference(s: unknown): string {
  if (typeof s !== 'string') throw new HclRenderError(`expected a reference, got ${String(s)}`);
  const m = /^\$\{(.*)\}$/s.exec(s);
  return m ? (m[1] as string) : s;
}

function referenceList(items: unknown): Dict {
  if (items === 'all') return { value: 'all', type: 'reference' };
  if (!Array.isArray(items))
    throw new HclRenderError(`expected a list of references, got ${JSON.stringify(items)}`);
  return { value: `[${items.map(bareReference).join(', ')}]`, type: 'reference' };
}

interface Context {
  /** Asset paths (relative to the stack folder) that become `${path.module}/<path>`. */
  readonly assetPaths: ReadonlySet<string>;
}

const DESCRIPTOR_KEYS = new Set([
  'value',
  'type',
  'isBlock',
  'is_block',
  'storageClassType',
  'storage_class_type',
  'dynamic',
]);

function isDescriptor(v: unknown): v is Dict {
  return isDict(v) && (Object.hasOwn(v, 'value') || Object.hasOwn(v, 'dynamic'));
}

function isRawExpression(d: Dict): boolean {
  return (
    d.type === 'type' ||
    d.type === 'reference' ||
    d.storageClassType === 'reference' ||
    d.storage_class_type === 'reference'
  );
}

/** A string the renderer prints verbatim between quotes. */
function template(s: string, ctx: Context, literal = false): string {
  if (ctx.assetPaths.has(s)) return `\${path.module}/${escapeHclTemplate(s)}`;
  return escapeHclTemplate(s, literal);
}

/**
 * A string in a position the renderer prints "fuzzily" (renderFuzzyJsonExpression): it prints strings that
 * start with `{`, `[` or `"`, or look like integers, without quotes. An empty leading interpolation keeps
 * them quoted (and strings) without changing their value.
 */
function fuzzyString(s: string, ctx: Context, literal = false): string {
  const body = template(s, ctx, literal);
  if (body.includes('${')) return body;
  const unquoted = /^[[{"]/.test(body) || (body !== '' && parseInt(body, 10).toString() === body);
  return unquoted ? `\${""}${body}` : body;
}

/** Plain data printed by the fuzzy renderer (maps, `any` values, list items, condition blocks). */
function data(v: unknown, ctx: Context, literal = false): unknown {
  if (typeof v === 'string') return fuzzyString(v, ctx, literal);
  if (Array.isArray(v)) return v.map((x) => data(x, ctx, literal));
  if (isDict(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, data(x, ctx, literal)]));
  return v;
}

function conditionBlocks(items: unknown, ctx: Context): Dict {
  if (!Array.isArray(items))
    throw new HclRenderError(`expected a list of condition blocks, got ${JSON.stringify(items)}`);
  return { value: items.map((x) => data(x, ctx)), isBlock: true, type: 'list' };
}

function lifecycle(v: unknown, ctx: Context): Dict {
  if (!isDict(v)) throw new HclRenderError(`unexpected lifecycle ${JSON.stringify(v)}`);
  const out: Dict = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (k === 'precondition' || k === 'postcondition') out[k] = conditionBlocks(x, ctx);
    else if (k === 'ignore_changes' || k === 'replace_triggered_by') out[k] = referenceList(x);
    else if (k === 'create_before_destroy' || k === 'prevent_destroy') out[k] = data(x, ctx);
    else throw new HclRenderError(`lifecycle argument "${k}" has no HCL rendering here`);
  }
  return { value: out, isBlock: true };
}

function dynamicSpec(spec: unknown, ctx: Context): Dict {
  if (!isDict(spec)) throw new HclRenderError(`unexpected dynamic block ${JSON.stringify(spec)}`);
  const { content, ...rest } = spec;
  return { ...(data(rest, ctx) as Dict), content: blockAttributes(content, ctx) };
}

/**
 * cdktf merges resource overrides below a block (`addOverride('a.b.dynamic.c', ...)`) into the block's
 * descriptor, beside `value`, where the renderer ignores them: move them into the block's attributes.
 */
function mergeOverrides(d: Dict): Dict {
  const hasValue = Object.hasOwn(d, 'value');
  const isOverride = (k: string) => !DESCRIPTOR_KEYS.has(k) || (k === 'dynamic' && hasValue);
  const extra = Object.keys(d).filter(isOverride);
  if (extra.length === 0) return d;
  const base = Object.fromEntries(Object.entries(d).filter(([k]) => !isOverride(k)));
  return applyToBlock(base, Object.fromEntries(extra.map((k) => [k, d[k]])));
}

function applyToBlock(d: Dict, overrides: Dict): Dict {
  const target = Array.isArray(d.value) ? d.value : [d.value];
  if (target.length !== 1 || !isDict(target[0]))
    throw new HclRenderError(
      `cannot apply overrides ${Object.keys(overrides).join(', ')} to a block with ${target.length} entries`,
    );
  const merged = deepMergeAttributes(target[0], overrides);
  return { ...d, value: Array.isArray(d.value) ? [merged] : merged };
}

function deepMergeAttributes(attrs: Dict, overrides: Dict): Dict {
  const out: Dict = { ...attrs };
  for (const [k, o] of Object.entries(overrides)) {
    const current = out[k];
    if (isDescriptor(current) && Object.hasOwn(current, 'value') && isDict(o))
      out[k] = applyToBlock(mergeOverrides(current), o);
    else if (isDict(current) && isDict(o)) out[k] = deepMergeAttributes(current, o);
    else out[k] = o;
  }
  return out;
}

/** The attributes of a resource, data source or nested block, ready for the renderer. */
function blockAttributes(attrs: unknown, ctx: Context): Dict {
  if (!isDict(attrs)) throw new HclRenderError(`unexpected block ${JSON.stringify(attrs)}`);
  const out: Dict = {};
  const put = (k: string, v: unknown) => {
    if (Object.hasOwn(out, k))
      throw new HclRenderError(`"${k}" is both a block and a dynamic block`);
    out[k] = v;
  };
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k === '//') out[k] = v;
    else if (k === 'dynamic' && isDict(v) && !isDescriptor(v)) {
      for (const [name, spec] of Object.entries(v))
        put(name, { dynamic: { value: dynamicSpec(spec, ctx) } });
    } else if (k === 'depends_on') put(k, referenceList(isDescriptor(v) ? v.value : v));
    else if (k === 'lifecycle') put(k, lifecycle(v, ctx));
    else if (k === 'provider' && typeof v === 'string')
      put(k, { value: bareReference(v), type: 'reference' });
    else put(k, attribute(v, ctx));
  }
  return out;
}

function attribute(v: unknown, ctx: Context): unknown {
  if (typeof v === 'string') return fuzzyString(v, ctx);
  if (!isDescriptor(v)) return data(v, ctx);
  if (Object.hasOwn(v, 'dynamic') && !Object.hasOwn(v, 'value')) {
    const dyn = v.dynamic as Dict;
    return { dynamic: { value: dynamicSpec(dyn.value, ctx) } };
  }
  if (isRawExpression(v)) return v;
  const d = mergeOverrides(v);
  const block = d.isBlock === true || d.is_block === true;
  const value = d.value;
  if (typeof value === 'string')
    return { ...d, value: d.type === 'any' ? fuzzyString(value, ctx) : template(value, ctx) };
  if (block && isDict(value)) return { ...d, value: blockAttributes(value, ctx) };
  if (block && Array.isArray(value))
    return { ...d, value: value.map((x) => (isDict(x) ? blockAttributes(x, ctx) : data(x, ctx))) };
  // list/set/map/simple values print through renderString/renderMap (quotes always) or fuzzily (`any`)
  return { ...d, value: d.type === 'any' ? data(value, ctx) : typedData(value, ctx) };
}

/**
 * The value of a typed (non-`any`) descriptor: list items and map values. Most print through renderString,
 * which always quotes, but objects in lists print fuzzily: the fuzzy guard is harmless for the others.
 */
function typedData(v: unknown, ctx: Context): unknown {
  if (Array.isArray(v)) return v.map((x) => data(x, ctx));
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, data(x, ctx)]));
  return v;
}

function variable(el: TerraformVariable, attrs: Dict, ctx: Context): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'validation') out[k] = conditionBlocks((v as Dict).value, ctx);
    else if (k === 'default')
      out[k] = { ...(v as Dict), value: data((v as Dict).value, ctx, true) };
    else if (k === 'description')
      out[k] = { ...(v as Dict), value: template(String((v as Dict).value), ctx, true) };
    else out[k] = v;
  }
  // cdktf drops falsy defaults (false, 0, "") and nullable = false from HCL.
  if (el.default !== undefined && out.default === undefined)
    out.default = { value: data(el.default, ctx, true), type: 'any' };
  if (el.nullable === false)
    out.nullable = { value: false, type: 'simple', storageClassType: 'boolean' };
  return out;
}

function output(attrs: Dict, ctx: Context): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'precondition') out[k] = conditionBlocks(v, ctx);
    else if (k === 'depends_on') out[k] = referenceList(isDescriptor(v) ? v.value : v);
    else if (k === 'description')
      out[k] = { ...(v as Dict), value: template(String((v as Dict).value), ctx, true) };
    else out[k] = attribute(v, ctx);
  }
  return out;
}

/** renderLocals drops falsy values (false, 0, ""): those become equal interpolations. */
function local(v: unknown, ctx: Context): unknown {
  if (v === false || v === 0 || v === '') return `\${${JSON.stringify(v)}}`;
  return data(v, ctx);
}

function mapBlocks(
  section: unknown,
  fix: (attrs: Dict) => Dict,
): Record<string, Record<string, Dict>> | undefined {
  if (!isDict(section)) return undefined;
  return Object.fromEntries(
    Object.entries(section).map(([type, byName]) => [
      type,
      Object.fromEntries(Object.entries(byName as Dict).map(([n, a]) => [n, fix(a as Dict)])),
    ]),
  );
}

/** One element's resolved HCL fragment, normalized for the renderer and shaped as a module. */
function moduleFragment(el: TerraformElement, fragment: Dict, ctx: Context): Dict {
  if (TerraformBackend.isBackend(el)) return {}; // the calling root owns state
  if (TerraformProvider.isTerraformProvider(el)) {
    // The calling root configures the provider; the module only declares which one it needs.
    const terraform = fragment.terraform as { required_providers: Record<string, Dict> };
    const required = Object.fromEntries(
      Object.entries(terraform.required_providers).map(([name, p]) => [
        name,
        {
          ...p,
          source: String(p.source).includes('/') ? p.source : `hashicorp/${String(p.source)}`,
        },
      ]),
    );
    return { terraform: { required_providers: required } };
  }
  const out: Dict = { ...fragment };
  const resources = mapBlocks(fragment.resource, (a) => blockAttributes(a, ctx));
  if (resources) out.resource = resources;
  const dataSources = mapBlocks(fragment.data, (a) => blockAttributes(a, ctx));
  if (dataSources) out.data = dataSources;
  if (isDict(fragment.variable) && el instanceof TerraformVariable) {
    out.variable = Object.fromEntries(
      Object.entries(fragment.variable).map(([n, a]) => [n, variable(el, a as Dict, ctx)]),
    );
  }
  if (isDict(fragment.output)) {
    out.output = Object.fromEntries(
      Object.entries(fragment.output).map(([n, a]) => [n, output(a as Dict, ctx)]),
    );
  }
  if (isDict(fragment.locals)) {
    out.locals = Object.fromEntries(
      Object.entries(fragment.locals).map(([n, d]) => [
        n,
        { ...(d as Dict), value: local((d as Dict).value, ctx) },
      ]),
    );
  }
  for (const key of ['module', 'moved', 'import'])
    if (fragment[key] !== undefined)
      throw new HclRenderError(
        `"${key}" blocks have no HCL module rendering yet (${el.node.path})`,
      );
  return out;
}

const wrapped = new WeakSet<TerraformElement>();

/** Wraps every element's toHclTerraform (at synth, after all constructs exist). */
class HclModuleAspect implements IAspect {
  constructor(private readonly stack: TerraformStack) {}

  visit(node: IConstruct): void {
    if (!TerraformElement.isTerraformElement(node) || wrapped.has(node)) return;
    wrapped.add(node);
    const original = node.toHclTerraform.bind(node);
    node.toHclTerraform = () => {
      const resolved = Tokenization.resolve(original(), {
        scope: this.stack,
        preparing: false,
        resolver: TOKEN_RESOLVER,
      }) as Dict;
      return moduleFragment(node, resolved, this.context());
    };
  }

  private cached?: Context;

  private context(): Context {
    this.cached ??= {
      assetPaths: new Set(
        this.stack.node
          .findAll()
          .filter((c): c is TerraformAsset => c instanceof TerraformAsset)
          .map((a) => a.path),
      ),
    };
    return this.cached;
  }
}

/**
 * Prepares a stack of an `hclOutput: true` app to synthesize as a reusable module. The region guard is a
 * data source that reads the provider's configured region (no AWS call) with a postcondition.
 */
export function asHclModule(stack: TerraformStack): void {
  new DataAwsRegion(stack, PROVIDER_REGION_CHECK, {
    lifecycle: {
      postcondition: [
        {
          condition: '${self.name == var.region}',
          errorMessage:
            "The aws provider passed to this module is configured for region ${self.name}, but var.region is ${var.region}: ARNs in IAM policies are built from var.region, so set it to the provider's region.",
        },
      ],
    },
  });
  Aspects.of(stack).add(new HclModuleAspect(stack));
}

/** Top-level blocks of a stack's JSON config the HCL renderer prints itself (`check` is written here). */
const RENDERED = new Set([
  '//',
  'terraform',
  'provider',
  'resource',
  'data',
  'variable',
  'output',
  'locals',
]);

/**
 * Writes what cdktf's HCL synth leaves out of a stack's folder: stack-level `check` blocks (from the stack's
 * JSON config, the source of truth) to `checks.tf`. Fails on any other block kind it would lose.
 */
export function writeHclExtras(stackDir: string, stack: TerraformStack): void {
  const json = stack.toTerraform() as Dict;
  const lost = Object.keys(json).filter((k) => !RENDERED.has(k) && k !== 'check');
  if (lost.length > 0)
    throw new HclRenderError(
      `${stack.node.id}: top-level ${lost.join(', ')} blocks have no HCL module rendering yet`,
    );
  const ctx: Context = { assetPaths: new Set() };
  const checks = Object.entries((json.check as Record<string, Dict> | undefined) ?? {});
  if (checks.length === 0) return;
  const blocks = checks.map(([name, body]) => {
    const keys = Object.keys(body).filter((k) => k !== 'assert');
    if (keys.length > 0)
      throw new HclRenderError(`check "${name}": ${keys.join(', ')} has no HCL rendering yet`);
    const asserts = (body.assert as Array<{ condition: string; error_message: string }>).map((a) =>
      [
        '  assert {',
        `    condition     = "${template(a.condition, ctx)}"`,
        `    error_message = "${template(a.error_message, ctx)}"`,
        '  }',
      ].join('\n'),
    );
    return [`check "${name}" {`, ...asserts, '}'].join('\n');
  });
  writeFileSync(
    join(stackDir, 'checks.tf'),
    `# Stack-level check blocks of ${stack.node.id} (cdktf's HCL synth does not render them).\n${blocks.join('\n\n')}\n`,
  );
}

/** A folder holding a JSON synth would mix cdk.tf.json and cdk.tf into one (broken) configuration. */
export function assertNoJsonSynth(outdir: string, stackNames: readonly string[]): void {
  const mixed = stackNames.filter((s) => existsSync(join(outdir, 'stacks', s, 'cdk.tf.json')));
  if (mixed.length > 0)
    throw new HclRenderError(
      `${outdir} holds a JSON synth of ${mixed.join(', ')}: write the HCL modules to another folder (CDKTF_OUTDIR)`,
    );
}

/** `terraform fmt` style for every .tf file of a module folder, as `cdktf synth --hcl` does (cdktf's formatter). */
export async function formatModule(stackDir: string): Promise<void> {
  for (const file of readdirSync(stackDir).filter((f) => f.endsWith('.tf'))) {
    const path = join(stackDir, file);
    writeFileSync(path, await format(readFileSync(path, 'utf8')));
  }
}
