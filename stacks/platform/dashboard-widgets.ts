import { Token } from 'cdktf';
import { SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import { metric, METRICS_NAMESPACE, type Series, serviceOf } from './dashboard-series';
import type { NodeFunction } from './node-function';

/** Widgets of a dashboard: graphs and Markdown text, and the small ones every automation's dashboard uses. */

/** Width of the dashboard grid. */
export const GRID_WIDTH = 24;
const MAX_SERIES_PER_GRAPH = 100;

export interface Widget {
  readonly type: 'metric' | 'text';
  /** Grid units, 1 to 24. */
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface Axis {
  /** @default CloudWatch's (from the data) */
  readonly min?: number;
  /** @default CloudWatch's (from the data) */
  readonly max?: number;
  /** @default none */
  readonly label?: string;
}

export interface HorizontalAnnotation {
  readonly label: string;
  /** A number or a number variable (its value is spliced into the JSON at plan time). */
  readonly value: number;
  /** @default CloudWatch's */
  readonly color?: string;
}

export interface GraphProps {
  readonly title: string;
  readonly series: readonly Series[];
  /** Statistic of the metrics that set none. @default 'Average' */
  readonly stat?: string;
  /** Seconds per datapoint. @default 300 */
  readonly period?: number;
  /** @default 'timeSeries' */
  readonly view?: 'timeSeries' | 'singleValue' | 'bar' | 'pie';
  /** @default false */
  readonly stacked?: boolean;
  /** Lines across the graph, e.g. alarm or scaling thresholds. @default [] */
  readonly horizontalAnnotations?: readonly HorizontalAnnotation[];
  /** @default left axis from 0 */
  readonly yAxis?: { readonly left?: Axis; readonly right?: Axis };
  /** Grid units. @default 12 */
  readonly width?: number;
  /** Grid units. @default 6 */
  readonly height?: number;
}

const EXPRESSION_ID = /^[a-z][a-zA-Z0-9_]*$/;
/** How cdktf encodes a string token inside a string. */
const TOKEN = /\$\{TfToken\[[^\]]+\]\}/g;

/** A graph of metrics and expressions. */
export function graph(props: GraphProps): Widget {
  const width = props.width ?? 12;
  const height = props.height ?? 6;
  const period = props.period ?? 300;
  if (props.series.length === 0 || props.series.length > MAX_SERIES_PER_GRAPH)
    throw new Error(
      `graph "${props.title}" needs 1 to ${MAX_SERIES_PER_GRAPH} series, got ${props.series.length}`,
    );
  checkPeriod(`graph "${props.title}"`, period);
  const ids = new Set<string>();
  let next = 1;
  const rows = props.series.map((s) => {
    let id = s.id;
    if (id === undefined && s.kind === 'expression') {
      while (ids.has(`e${next}`)) next += 1;
      id = `e${next}`;
    }
    if (id !== undefined) {
      if (!EXPRESSION_ID.test(id))
        throw new Error(`graph "${props.title}": id "${id}" must match ${EXPRESSION_ID}`);
      if (ids.has(id)) throw new Error(`graph "${props.title}": id "${id}" is used twice`);
      ids.add(id);
    }
    if (s.period !== undefined) checkPeriod(`graph "${props.title}" series`, s.period);
    return renderSeries(s, id);
  });
  const annotations = props.horizontalAnnotations ?? [];
  return {
    type: 'metric',
    width,
    height,
    properties: {
      title: props.title,
      view: props.view ?? 'timeSeries',
      stacked: props.stacked ?? false,
      stat: props.stat ?? 'Average',
      period,
      metrics: rows,
      yAxis: props.yAxis ?? { left: { min: 0 } },
      ...(annotations.length > 0
        ? { annotations: { horizontal: annotations.map((a) => compact({ ...a })) } }
        : {}),
    },
  };
}

/** Markdown text, e.g. a heading that says what the dashboard shows. Full width by default. */
export function text(
  markdown: string,
  size: { readonly width?: number; readonly height?: number } = {},
): Widget {
  // Outside of cdktf's own tokens, "${" or "%{" would be read by Terraform as a template.
  if (/[$%]\{/.test(markdown.replace(TOKEN, '')))
    throw new Error(`text: ${JSON.stringify(markdown)} holds "\${" or "%{" (a Terraform template)`);
  return {
    type: 'text',
    width: size.width ?? GRID_WIDTH,
    height: size.height ?? 2,
    properties: { markdown },
  };
}

function renderSeries(s: Series, id: string | undefined): unknown[] {
  const options = compact({
    ...(s.kind === 'metric' ? { stat: s.stat } : {}),
    label: s.label,
    period: s.period,
    yAxis: s.yAxis,
    color: s.color,
    id,
  });
  if (s.kind === 'expression') return [{ expression: s.expression, ...options }];
  const dims = Object.entries(s.dimensions).flat();
  return [
    s.namespace,
    s.metricName,
    ...dims,
    ...(Object.keys(options).length > 0 ? [options] : []),
  ];
}

function checkPeriod(what: string, period: number): void {
  if (
    !Token.isUnresolved(period) &&
    (!Number.isInteger(period) || period < 1 || (period >= 60 && period % 60 !== 0))
  )
    throw new Error(
      `${what}: period must be 1, 5, 10, 30 or a multiple of 60 seconds, got ${period}`,
    );
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------------------
// What every automation's dashboard shows

export const RED = '#d62728';
export const GREEN = '#2ca02c';
export const ORANGE = '#ff7f0e';
export const GREY = '#7f7f7f';

export const lambdaErrors = (fns: readonly NodeFunction[]) =>
  fns.map((fn) =>
    metric('AWS/Lambda', 'Errors', { FunctionName: fn.functionName }, { stat: 'Sum' }),
  );

export const queueDepth = (queueName: string, label?: string) =>
  metric(
    'AWS/SQS',
    'ApproximateNumberOfMessagesVisible',
    { QueueName: queueName },
    { stat: 'Maximum', ...(label ? { label } : {}) },
  );

/** The dashboard's first row: what the automation does, in a few lines. */
export const heading = (title: string, lines: readonly string[]) =>
  text([`## ${title}`, ...lines].join('\n\n'), { height: 3 });

/** Where the functions' EMF metrics are, for the heading. */
export const emfNote = (fns: readonly NodeFunction[]) =>
  `EMF metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`${SERVICE_DIMENSION}\` = ${fns
    .map((fn) => `\`${serviceOf(fn)}\``)
    .join(', ')}.`;
