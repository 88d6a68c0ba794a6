/**
 * One element's resolved fragment, normalized into values cdktf's HCL renderer prints correctly (blocks,
 * references, falsy values, overrides, fuzzy strings), and shaped as a module.
 */

import { TerraformBackend, TerraformElement, TerraformProvider, TerraformVariable } from 'cdktf';
import { bareReference, escapeHclTemplate, HclRenderError } from './escape';

export type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function referenceList(items: unknown): Dict {
  if (items === 'all') return { value: 'all', type: 'reference' };
  if (!Array.isArray(items))
    throw new HclRenderError(`expected a list of references, got ${JSON.stringify(items)}`);
  return { value: `[${items.map(bareReference).join(', ')}]`, type: 'reference' };
}

/** A reusable module (no backend, no provider configuration) or a root configuration (both kept). */
export type HclShape = 'module' | 'root';

export interface Context {
  readonly shape: HclShape;
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

/**
 * A backend's fragment for a root configuration. cdktf's HCL form of a `cloud` block drops the workspaces'
 * `project` (NamedCloudWorkspace and TaggedCloudWorkspaces.toHclTerraform): taken from the JSON form.
 */
function rootBackend(el: TerraformBackend, fragment: Dict): Dict {
  const terraform = fragment.terraform as Dict;
  const cloud = terraform.cloud as Dict | undefined;
  const json = (el.toTerraform() as { terraform: { cloud?: { workspaces?: Dict } } }).terraform;
  const project = json.cloud?.workspaces?.project;
  if (!cloud || typeof project !== 'string') return fragment;
  const workspaces = cloud.workspaces as Dict;
  const value = {
    ...(workspaces.value as Dict),
    project: { value: project, type: 'simple', storageClassType: 'string' },
  };
  return {
    ...fragment,
    terraform: { ...terraform, cloud: { ...cloud, workspaces: { ...workspaces, value } } },
  };
}

/** One element's resolved HCL fragment, normalized for the renderer and shaped as a module or a root. */
export function moduleFragment(el: TerraformElement, fragment: Dict, ctx: Context): Dict {
  if (TerraformBackend.isBackend(el)) return ctx.shape === 'root' ? rootBackend(el, fragment) : {};
  if (TerraformProvider.isTerraformProvider(el) && ctx.shape === 'root') {
    const providers = fragment.provider as Record<string, unknown[]>;
    return {
      ...fragment,
      provider: Object.fromEntries(
        Object.entries(providers).map(([n, list]) => [n, list.map((a) => blockAttributes(a, ctx))]),
      ),
    };
  }
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
