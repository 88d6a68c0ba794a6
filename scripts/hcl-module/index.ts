import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import {
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformAsset,
  TerraformElement,
  TerraformStack,
  Tokenization,
  type IAspect,
} from 'cdktf';
import type { IConstruct } from 'constructs';
import { moduleFragment, type Context, type Dict, type HclShape } from './fragment';

/*
 * `npm run synth:hcl` renders every stack with cdktf's HCL synthesizer (App `hclOutput: true`) as a reusable
 * Terraform *module*. cdktf 0.21's HCL renderer (packages/cdktf/lib/hcl/render.ts) has defects that make the
 * output invalid or silently different from the JSON synth, so this module sits between token resolution and
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
 * Root shape (`cdktf synth --hcl`, asHclRoot): the same fixes, with the backend and provider blocks kept.
 * Module shape (`npm run synth:hcl`, asHclModule): no `backend`/`cloud` block, no `provider "aws"` block
 * (the calling root configures the provider and passes it, implicitly or with
 * `providers = { aws = aws.<alias> }`), `required_providers` with source and version, asset paths under
 * `path.module`, and a plan-time guard that the provider's region equals `var.region` (the variable still
 * builds every ARN).
 */

const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());
/** Logical id of the data source that checks the calling provider's region against `var.region`. */
export const PROVIDER_REGION_CHECK = 'provider_region';

const wrapped = new WeakSet<TerraformElement>();

/** Wraps every element's toHclTerraform (at synth, after all constructs exist). */
class HclModuleAspect implements IAspect {
  constructor(
    private readonly stack: TerraformStack,
    private readonly shape: HclShape,
  ) {}

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
      shape: this.shape,
      // A root configuration runs in its own folder, so its asset paths stay as the JSON synth writes them.
      assetPaths: new Set(
        this.shape === 'root'
          ? []
          : this.stack.node
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
  Aspects.of(stack).add(new HclModuleAspect(stack, 'module'));
}

/**
 * Prepares a stack of an HCL app (`cdktf synth --hcl`) to synthesize as a root configuration: the same
 * renderer fixes as a module, with its backend and provider blocks kept, so `cdktf deploy` can use it too.
 */
export function asHclRoot(stack: TerraformStack): void {
  Aspects.of(stack).add(new HclModuleAspect(stack, 'root'));
}

export { escapeHclTemplate } from './escape';
export type { HclShape } from './fragment';
export { assertNoJsonSynth, formatModule, writeHclExtras } from './extras';
