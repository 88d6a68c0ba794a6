import { TerraformVariable } from 'cdktf';
import type { OpsStack } from './ops-stack';

/** Whole number in [min, max], as a validation condition on `var.<name>`. */
function wholeNumberIn(name: string, min: number, max: number): string {
  return `\${var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}}`;
}

/** A validation rule: `var.<name>` is a whole number in [min, max]. */
export function wholeNumberRule(name: string, min: number, max: number) {
  return {
    condition: wholeNumberIn(name, min, max),
    errorMessage: `${name} must be a whole number from ${min} to ${max}.`,
  };
}

export interface NumberVarSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
  /** Said after the range in the validation message, e.g. ' seconds'. @default '' */
  readonly unit?: string;
}

/** A whole-number variable with its range checked by Terraform at plan time. */
export function numberVar(stack: OpsStack, name: string, spec: NumberVarSpec): number {
  return new TerraformVariable(stack, name, {
    type: 'number',
    default: spec.default,
    description: spec.description,
    validation: [
      {
        condition: wholeNumberIn(name, spec.min, spec.max),
        errorMessage: `${name} must be a whole number from ${spec.min} to ${spec.max}${spec.unit ?? ''}.`,
      },
    ],
  }).numberValue;
}
