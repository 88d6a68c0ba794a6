import { readFileSync } from 'node:fs';
import type { StandInRecord } from '../stand-ins/types';
import { deployedFunctions, type AppliedResource, type DeployedFunction } from './deployed';
import { LocalFunction } from './invoke';
import type { MotoCommand } from '../moto';
import { motoPython, type Python } from './python';

/** What a scenario gets: the applied stack, its emulator, and the deployed functions to run. */
export interface ScenarioContext {
  readonly stack: string;
  /** The synthesized stack folder Terraform applied (zips under assets/). */
  readonly stackDir: string;
  /** The emulator's endpoint (moto behind the stand-ins). */
  readonly endpoint: string;
  readonly resources: readonly AppliedResource[];
  /** The variables Terraform applied (terraform.tfvars.example and the stack's DEPLOY_VARIABLES). */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly python: Python;
  readonly functions: readonly DeployedFunction[];
  /** What the stand-ins answered and corrected so far. */
  readonly records: () => readonly StandInRecord[];
  /** Starts a deployed function from its zip; the runner stops it after the scenario. */
  readonly start: (fn: DeployedFunction) => LocalFunction;
}

/** A scenario acts on the applied stack and returns what it observed (JSON), which a test then judges. */
export type Scenario = (ctx: ScenarioContext) => Promise<unknown>;

export interface ScenarioResult {
  readonly observed?: unknown;
  readonly error?: string;
  readonly seconds: number;
}

/** `name = value` lines of a tfvars file whose values are JSON-compatible HCL (terraform.tfvars.example). */
export function readTfvars(path: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([a-z_][a-z0-9_]*)\s*=\s*(.+)$/.exec(trimmed);
    if (!m?.[1] || m[2] === undefined)
      throw new Error(`${path}:${i + 1}: not a "name = value" line: ${line}`);
    if (m[1] in vars) throw new Error(`${path}:${i + 1}: ${m[1]} is set twice`);
    try {
      vars[m[1]] = JSON.parse(m[2]);
    } catch (error) {
      throw new Error(`${path}:${i + 1}: value of ${m[1]} is not JSON-compatible HCL: ${m[2]}`, {
        cause: error,
      });
    }
  }
  return vars;
}

/**
 * Runs one scenario on an applied stack; never throws (the error is part of the result, so the deploy proof
 * goes on to re-plan and destroy), and stops every function it started.
 */
export async function runScenario(
  scenario: Scenario,
  base: Omit<ScenarioContext, 'functions' | 'start' | 'python'> & { readonly moto: MotoCommand },
): Promise<ScenarioResult> {
  const started = performance.now();
  const running: LocalFunction[] = [];
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  try {
    const python = motoPython(base.moto);
    const functions = await deployedFunctions(base.stackDir, base.endpoint, base.resources);
    const start = (fn: DeployedFunction) => {
      const local = LocalFunction.start(fn, base.endpoint, python);
      running.push(local);
      return local;
    };
    const observed = await scenario({ ...base, python, functions, start });
    return { observed, seconds: seconds() };
  } catch (error) {
    const logs = running.map((f) => `--- ${f.fn.bundle} output:\n${f.log()}`).join('\n');
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { error: `${message}\n${logs}`, seconds: seconds() };
  } finally {
    await Promise.all(running.map((f) => f.stop()));
  }
}
