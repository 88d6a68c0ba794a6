import { Token } from 'cdktf';
import { METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import type { NodeFunction } from './node-function';

/** Series of dashboard graphs: metrics, SEARCH expressions and Metrics Insights queries. */

/** Namespace of every EMF metric the handlers write (NodeFunction sets POWERTOOLS_METRICS_NAMESPACE to it). */
export { METRICS_NAMESPACE };

export interface SeriesOptions {
  /** Legend label. @default CloudWatch's (metric name and dimension values) */
  readonly label?: string;
  /** Seconds per datapoint. @default the graph's period */
  readonly period?: number;
  /** @default 'left' */
  readonly yAxis?: 'left' | 'right';
  /** Hex colour like '#d62728'. @default CloudWatch's palette */
  readonly color?: string;
  /** Id, to use the series in a math expression; required by CloudWatch for expressions. @default e1, e2, ... for expressions, none for metrics */
  readonly id?: string;
}

export interface MetricOptions extends SeriesOptions {
  /** Statistic such as 'Sum', 'Maximum', 'p90'. @default the graph's stat */
  readonly stat?: string;
}

/** One metric, named by namespace, name and its complete dimension set. */
export interface MetricSeries extends MetricOptions {
  readonly kind: 'metric';
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A metric math expression, a SEARCH expression or a Metrics Insights query. */
export interface ExpressionSeries extends SeriesOptions {
  readonly kind: 'expression';
  readonly expression: string;
}

export type Series = MetricSeries | ExpressionSeries;

/** A metric by namespace, name and dimensions (all of them: a metric with more dimensions is another metric). */
export function metric(
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>> = {},
  options: MetricOptions = {},
): MetricSeries {
  return { kind: 'metric', namespace, metricName, dimensions, ...options };
}

/** POWERTOOLS_SERVICE_NAME of a function: the `service` dimension of every EMF metric it writes. */
export function serviceOf(fn: NodeFunction): string {
  const service = fn.function.environmentInput?.variables?.POWERTOOLS_SERVICE_NAME;
  if (typeof service !== 'string' || service === '')
    throw new Error(
      `${fn.node.path} sets no POWERTOOLS_SERVICE_NAME, so its metrics have no service`,
    );
  return service;
}

/**
 * An EMF metric a function writes: namespace OpsAutopilot, dimension `service` = the function's
 * POWERTOOLS_SERVICE_NAME, plus the dimensions the handler adds (e.g. { Outcome: 'TimedOut' }).
 */
export function emfMetric(
  fn: NodeFunction,
  metricName: string,
  dimensions: Readonly<Record<string, string>> = {},
  options: MetricOptions = {},
): MetricSeries {
  if (SERVICE_DIMENSION in dimensions)
    throw new Error(`emfMetric ${metricName}: "service" comes from the function, not the caller`);
  return metric(
    METRICS_NAMESPACE,
    metricName,
    { ...dimensions, [SERVICE_DIMENSION]: serviceOf(fn) },
    options,
  );
}

/** An EMF metric of a function with no dimension but `service`, as one labelled line. */
export function emfLine(
  fn: NodeFunction,
  metricName: string,
  label: string,
  color?: string,
): MetricSeries {
  return emfMetric(fn, metricName, {}, { label, ...(color ? { color } : {}) });
}

export interface SearchProps {
  readonly namespace: string;
  readonly metricName: string;
  /**
   * Every dimension name of the metrics to find (the SEARCH schema): metrics with other dimension sets do
   * not match, so { service, Pool } never matches { service } alone.
   */
  readonly dimensionKeys: readonly string[];
  /** Dimension values the metrics must have exactly (keys among dimensionKeys). @default {} */
  readonly filters?: Readonly<Record<string, string>>;
  readonly stat: string;
  /** Seconds. */
  readonly period: number;
}

/**
 * SEARCH('{ns,k1,k2} MetricName="m" k1="v"', 'stat', period): one line per metric found (e.g. per pool),
 * for dimension values only known at run time. Finds metrics with data in the last two weeks.
 */
export function search(props: SearchProps, options: SeriesOptions = {}): ExpressionSeries {
  const filters = props.filters ?? {};
  const keys = [...props.dimensionKeys];
  if (keys.length === 0) throw new Error(`search ${props.metricName}: dimensionKeys is empty`);
  for (const key of Object.keys(filters)) {
    if (!keys.includes(key))
      throw new Error(
        `search ${props.metricName}: filter "${key}" is not one of dimensionKeys ${JSON.stringify(keys)}`,
      );
  }
  for (const text of [props.namespace, props.metricName, ...keys, ...Object.values(filters)])
    refuseQuotes('search', text);
  const schema = `{${[props.namespace, ...keys].join(',')}}`;
  const terms = [
    `MetricName="${props.metricName}"`,
    ...Object.entries(filters).map(([k, v]) => `${k}="${v}"`),
  ];
  return {
    kind: 'expression',
    expression: `SEARCH('${schema} ${terms.join(' ')}', '${props.stat}', ${props.period})`,
    ...options,
  };
}

/** SEARCH over an EMF metric of a function whose other dimensions (e.g. Pool) take run-time values. */
export function emfSearch(
  fn: NodeFunction,
  metricName: string,
  dimensionKeys: readonly string[],
  stat: string,
  period: number,
  options: SeriesOptions = {},
): ExpressionSeries {
  return search(
    {
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionKeys: [...dimensionKeys, SERVICE_DIMENSION],
      filters: { [SERVICE_DIMENSION]: serviceOf(fn) },
      stat,
      period,
    },
    options,
  );
}

export interface InsightsQueryProps {
  readonly namespace: string;
  readonly metricName: string;
  readonly aggregate: 'AVG' | 'MAX' | 'MIN' | 'SUM' | 'COUNT';
  /** Every dimension name of the metrics (FROM SCHEMA(...)): other dimension sets do not match. */
  readonly dimensionKeys: readonly string[];
  /** WHERE k = 'v' AND ... @default {} */
  readonly where?: Readonly<Record<string, string>>;
  /** GROUP BY these dimensions, one line each. @default [] (one line) */
  readonly groupBy?: readonly string[];
}

/**
 * A Metrics Insights query (SQL), e.g. SELECT MAX(CapacityGap) FROM SCHEMA("OpsAutopilot", Pool, service)
 * WHERE service = 'x'. CloudWatch runs one query per graph: give each query its own graph.
 */
export function insightsQuery(
  props: InsightsQueryProps,
  options: SeriesOptions = {},
): ExpressionSeries {
  const where = props.where ?? {};
  const groupBy = props.groupBy ?? [];
  for (const key of [...Object.keys(where), ...groupBy]) {
    if (!props.dimensionKeys.includes(key))
      throw new Error(
        `insightsQuery ${props.metricName}: "${key}" is not one of dimensionKeys ${JSON.stringify(props.dimensionKeys)}`,
      );
  }
  for (const text of [
    props.namespace,
    props.metricName,
    ...props.dimensionKeys,
    ...Object.values(where),
  ])
    refuseQuotes('insightsQuery', text);
  const conditions = Object.entries(where).map(([k, v]) => `${k} = '${v}'`);
  const sql = [
    `SELECT ${props.aggregate}(${props.metricName})`,
    `FROM SCHEMA("${props.namespace}", ${props.dimensionKeys.join(', ')})`,
    ...(conditions.length > 0 ? [`WHERE ${conditions.join(' AND ')}`] : []),
    ...(groupBy.length > 0 ? [`GROUP BY ${groupBy.join(', ')}`] : []),
  ].join(' ');
  return { kind: 'expression', expression: sql, ...options };
}

function refuseQuotes(what: string, text: string): void {
  if (!Token.isUnresolved(text) && /["'\\]/.test(text))
    throw new Error(`${what}: ${JSON.stringify(text)} holds a quote or backslash`);
}
