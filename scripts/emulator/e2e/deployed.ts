import { basename, join } from 'node:path';
import { restCall } from '../aws/call';

/** One managed resource instance of the applied state (as deploy-proof.ts reads it). */
export interface AppliedResource {
  readonly address: string;
  readonly type: string;
  readonly attributes: Record<string, unknown>;
}

/** A function as Terraform deployed it: the zip it uploaded, and what the emulator's Lambda API reports. */
export interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
  /** The zip in the synthesized stack folder that the state says was uploaded. */
  readonly zip: string;
  /** Its file name without `.zip`: the bundle name of the build (e.g. `ebs-snapshot-create`). */
  readonly bundle: string;
  /** `file.export`, as GetFunctionConfiguration reports it. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The environment GetFunctionConfiguration reports (what Terraform applied). */
  readonly environment: Readonly<Record<string, string>>;
}

interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  Environment?: { Variables?: Record<string, string> };
}

/**
 * Every aws_lambda_function of the applied state, its code from the state's `filename` (relative to the
 * stack folder) and its handler and environment read back from the emulator's GetFunctionConfiguration
 * (https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html).
 */
export async function deployedFunctions(
  stackDir: string,
  endpoint: string,
  resources: readonly AppliedResource[],
): Promise<DeployedFunction[]> {
  const functions = resources.filter((r) => r.type === 'aws_lambda_function');
  return Promise.all(
    functions.map(async (r) => {
      const name = String(r.attributes.function_name);
      const config = await restCall<FunctionConfiguration>(
        endpoint,
        'lambda',
        'GET',
        `/2015-03-31/functions/${encodeURIComponent(name)}/configuration`,
      );
      const zip = join(stackDir, String(r.attributes.filename));
      return {
        name: config.FunctionName,
        arn: config.FunctionArn,
        zip,
        bundle: basename(zip, '.zip'),
        handler: config.Handler,
        timeoutSeconds: config.Timeout,
        memoryMb: config.MemorySize,
        environment: config.Environment?.Variables ?? {},
      };
    }),
  );
}

/** The one deployed function whose code is this bundle; throws naming the bundles there are. */
export function functionOf(
  functions: readonly DeployedFunction[],
  bundle: string,
): DeployedFunction {
  const found = functions.filter((f) => f.bundle === bundle);
  if (found.length !== 1) {
    throw new Error(
      `expected one deployed function of bundle ${bundle}, found ${found.length} among ${functions.map((f) => f.bundle).join(', ')}`,
    );
  }
  return found[0]!;
}

/** The one applied resource of this type (and matching `where`); throws when there is not exactly one. */
export function resourceOf(
  resources: readonly AppliedResource[],
  type: string,
  where: (attributes: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = resources.filter((r) => r.type === type && where(r.attributes));
  if (found.length !== 1) {
    throw new Error(`expected one applied ${type}, found ${found.length}`);
  }
  return found[0]!.attributes;
}

/** The ARN of the applied EventBridge rule whose target is the function `functionArn` (its schedule). */
export function scheduleRuleArnOf(
  resources: readonly AppliedResource[],
  functionArn: unknown,
): string {
  const target = resourceOf(resources, 'aws_cloudwatch_event_target', (a) => a.arn === functionArn);
  return String(
    resourceOf(resources, 'aws_cloudwatch_event_rule', (a) => a.name === target.rule).arn,
  );
}
