import type { MetricSpec } from '../../functions/shared/metric-spec';

/**
 * Captures the CloudWatch embedded metric format (EMF) documents Powertools Metrics prints to stdout, as
 * CloudWatch would read them from the function's log: one entry per metric and dimension set.
 *
 * Powertools decides at construction whether it prints (POWERTOOLS_METRICS_DISABLED, set to 'true' for all
 * tests in support/setup.ts): call enableEmf() before the module holding the `metrics` instance is imported.
 */

export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  /** Every dimension of the metric, `service` included. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Makes Powertools Metrics instances created from now on print EMF, as on Lambda. */
export function enableEmf(env: { service: string; namespace?: string }): void {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_SERVICE_NAME = env.service;
  process.env.POWERTOOLS_METRICS_NAMESPACE = env.namespace ?? 'OpsAutopilot';
}

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

/** Runs `act` with stdout captured; returns what it returned (or threw) and every EMF metric printed. */
export async function captureEmf<T>(
  act: () => Promise<T> | T,
): Promise<{ metrics: EmittedMetric[]; result?: T; error?: unknown }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  let outcome: { result?: T; error?: unknown };
  try {
    outcome = { result: await act() };
  } catch (error) {
    outcome = { error };
  } finally {
    write.mockRestore();
  }
  return { ...outcome, metrics: lines.flatMap((chunk) => chunk.split('\n')).flatMap(parseLine) };
}

function parseLine(line: string): EmittedMetric[] {
  if (!line.trimStart().startsWith('{')) return [];
  let doc: EmfDocument;
  try {
    doc = JSON.parse(line) as EmfDocument;
  } catch {
    return [];
  }
  if (!doc._aws?.CloudWatchMetrics) return [];
  return doc._aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Dimensions.flatMap((keys) =>
      directive.Metrics.flatMap((m) => {
        const raw = doc[m.Name];
        const values = Array.isArray(raw) ? raw : [raw];
        return values.map((value) => ({
          namespace: directive.Namespace,
          name: m.Name,
          unit: m.Unit,
          dimensions: Object.fromEntries(keys.map((k) => [k, String(doc[k])])),
          value: Number(value),
        }));
      }),
    ),
  );
}

/** The metric's identity as CloudWatch keys it: name and dimension names (sorted, `service` left out). */
export function specOf(m: Pick<EmittedMetric, 'name' | 'dimensions'>): MetricSpec {
  return {
    name: m.name,
    dimensions: Object.keys(m.dimensions)
      .filter((k) => k !== 'service')
      .sort(),
  };
}

/** Distinct specs, sorted by name then dimensions, for comparing with a metric-names.ts list. */
export function distinctSpecs(specs: readonly MetricSpec[]): MetricSpec[] {
  const byKey = new Map(
    specs.map((s) => [
      `${s.name}|${[...s.dimensions].sort().join(',')}`,
      { name: s.name, dimensions: [...s.dimensions].sort() },
    ]),
  );
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
}
