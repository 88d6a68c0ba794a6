import { AnnotationMetadataEntryType, App, Testing } from 'cdktf';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addStacks, type StackName } from '../../stacks/app';
import type { BackendChoice } from '../../stacks/platform/backend';
import type { CodeSource, FunctionCode } from '../../stacks/platform/code-source';
import { OpsStack } from '../../stacks/platform/ops-stack';

/** Stands in for the build step: a fixed small file per asset, so construct tests never run esbuild. */
export class FakeCodeSource implements CodeSource {
  readonly requested: string[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'fake-code-'));

  code(assetName: string): FunctionCode {
    this.requested.push(assetName);
    const zipPath = join(this.dir, `${assetName}.zip`);
    writeFileSync(zipPath, `fake bundle of ${assetName}`);
    return { zipPath, sha256Base64: Buffer.from(`sha-of-${assetName}`).toString('base64') };
  }
}

export interface TfJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  variable: Record<string, { default?: unknown; description?: string; type?: string }>;
  output?: Record<string, unknown>;
  provider: Record<string, unknown[]>;
  terraform: Record<string, unknown>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
}

export function synthStack(
  name: StackName,
  backend: BackendChoice = { kind: 'local' },
): { stack: OpsStack; json: TfJson } {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-'));
  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, stackTraces: false });
  const [stack] = addStacks(app, { codeSource: new FakeCodeSource(), backend }, [name]);
  if (!stack) throw new Error(`no stack ${name}`);
  return { stack, json: synthJson(stack) };
}

/** Resources of one type in a synthesized stack, by construct-derived name. */
export function resources(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}

/** A bare OpsStack to host one construct under test. */
export function testStack(backend: BackendChoice = { kind: 'local' }): {
  app: App;
  stack: OpsStack;
  code: FakeCodeSource;
} {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'synth-')), stackTraces: false });
  const code = new FakeCodeSource();
  return { app, stack: new OpsStack(app, 'test-stack', { codeSource: code, backend }), code };
}

/** Synthesizes like `app.synth()` does: error annotations (the policy checks) fail it. */
export function synthJson(stack: OpsStack): TfJson {
  const json = Testing.synth(stack, true);
  const errors = stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === AnnotationMetadataEntryType.ERROR)
        .map((m) => `[${c.node.path}] ${String(m.data)}`),
    );
  if (errors.length > 0) throw new Error(`synth failed:\n${errors.join('\n')}`);
  return JSON.parse(json) as TfJson;
}

/** The only resource of a type, failing when there are none or several. */
export function only(json: TfJson, type: string): Record<string, unknown> {
  const all = Object.values(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

/** The one resource of a type whose logical id contains `part`, failing when there are none or several. */
export function resourceById(json: TfJson, type: string, part: string): Record<string, unknown> {
  const found = Object.entries(resources(json, type)).filter(([id]) => id.includes(part));
  if (found.length !== 1)
    throw new Error(`expected one ${type} with "${part}", found ${found.length}`);
  return found[0]![1];
}

/** The Terraform reference to `attr` of the first resource of a type whose logical id contains `part`. */
export function refById(json: TfJson, type: string, part: string, attr: string): string {
  const id = Object.keys(resources(json, type)).find((k) => k.includes(part));
  return `\${${type}.${id}.${attr}}`;
}
