import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';

interface SecondsSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

/** A whole number of seconds in [min, max]; the message shows the value given. */
function secondsVar(stack: OpsStack, name: string, spec: SecondsSpec): number {
  return new TerraformVariable(stack, name, {
    type: 'number',
    default: spec.default,
    description: spec.description,
    validation: [
      {
        condition: `\${var.${name} >= ${spec.min} && var.${name} <= ${spec.max} && floor(var.${name}) == var.${name}}`,
        errorMessage: `${name} must be a whole number of seconds from ${spec.min} to ${spec.max}, got \${var.${name}}.`,
      },
    ],
  }).numberValue;
}

/**
 * The On-Demand fallback's variables (`ecs_spot_fallback_*`: every variable of this stack carries the
 * `ecs_spot_` prefix, and all stacks share one tfvars file).
 */
export function declareFallbackVariables(stack: OpsStack) {
  return {
    enabled: new TerraformVariable(stack, 'ecs_spot_fallback_enabled', {
      type: 'bool',
      default: false,
      description:
        'Shift the service to On-Demand while Spot capacity is short, and back when it returns (costs On-Demand prices meanwhile); false creates nothing.',
    }).booleanValue,
    afterSeconds: secondsVar(stack, 'ecs_spot_fallback_after_seconds', {
      default: 600,
      min: 60,
      max: 86400,
      description:
        'A Spot task still waiting for capacity (PROVISIONING or PENDING) this long shifts the service to On-Demand; keep it above the time a new Spot instance takes to join the cluster.',
    }),
    recoverAfterSeconds: secondsVar(stack, 'ecs_spot_fallback_recover_after_seconds', {
      default: 1800,
      min: 300,
      max: 86400,
      description:
        'After this long On-Demand without a Spot task waiting, the service returns to the configured On-Demand/Spot split.',
    }),
    minIntervalSeconds: secondsVar(stack, 'ecs_spot_fallback_min_interval_seconds', {
      default: 900,
      min: 60,
      max: 86400,
      description:
        'At most one shift of the strategy (either way) per this many seconds, whatever the runs see.',
    }),
  };
}
