import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import type { NodeFunction } from './node-function';
import { OpsStack } from './ops-stack';

/**
 * A CloudWatch dashboard built from typed widgets (graphs of metrics, SEARCH and Metrics Insights
 * expressions, Markdown text), laid out left to right in rows of the 24-unit grid. The body is JSON written
 * here; names and the region may be Terraform references (cdktf resolves them inside the string), and so
 * may numbers such as alarm thresholds (they are spliced in unquoted). No AWS call at plan time.
 */

/** Namespace of every EMF metric the handlers write (NodeFunction sets POWERTOOLS_METRICS_NAMESPACE to it). */
export const METRICS_NAMESPACE = 'OpsAutopilot';
/** Width of the dashboard grid. */
export const GRID_WIDTH = 24;
const MAX_WIDGETS = 500;
const MAX_SERIES_PER_GRAPH = 100;
const MAX_HEIGHT = 1000;

// ---------------------------------------------------------------------------------------------------------
// Series: what a graph plots

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

// ---------------------------------------------------------------------------------------------------------
// Widgets

/** A widget before layout: the dashboard places it and adds the region to metric widgets. */
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
// The dashboard

export interface OpsDashboardProps {
  /** In reading order; each row of the 24-unit grid takes widgets until the next does not fit. */
  readonly widgets: readonly Widget[];
  /** Name suffix: `<name_prefix>-<name>`. @default the stack's name */
  readonly name?: string;
  /** Time range shown when the dashboard opens (ISO 8601 duration before now). @default '-PT24H' */
  readonly start?: string;
}

/** A placed widget, as it appears in the dashboard body. */
export interface PlacedWidget extends Widget {
  readonly x: number;
  readonly y: number;
}

export interface DashboardBody {
  readonly start: string;
  readonly periodOverride: 'inherit';
  readonly widgets: readonly PlacedWidget[];
}

/** The stack's dashboard, `aws_cloudwatch_dashboard` named `<name_prefix>-<stack>`. */
export class OpsDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  /** Built from inputs, known at plan time. */
  readonly dashboardName: string;
  /** The body before it is serialized (tokens unresolved). */
  readonly body: DashboardBody;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const name = props.name ?? stack.stackName;
    const start = props.start ?? '-PT24H';
    validate(props, name, start);

    this.dashboardName = stack.name(name);
    this.body = {
      start,
      // Each graph keeps its own period (per day, per 5 minutes) whatever the time range.
      periodOverride: 'inherit',
      widgets: layout(
        props.widgets.map((w) =>
          w.type === 'metric' ? { ...w, properties: { ...w.properties, region: stack.region } } : w,
        ),
      ),
    };
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.dashboardName,
      dashboardBody: serializeBody(this.body),
    });
  }
}

function validate(props: OpsDashboardProps, name: string, start: string): void {
  const n = props.widgets.length;
  if (n === 0 || n > MAX_WIDGETS)
    throw new Error(`OpsDashboard needs 1 to ${MAX_WIDGETS} widgets, got ${n}`);
  if (!Token.isUnresolved(name) && !/^[A-Za-z0-9_-]+$/.test(name))
    throw new Error(`OpsDashboard name "${name}" may hold only letters, digits, "-" and "_"`);
  if (!/^-P(?=\d|T\d)(\d+[WD])?(T(\d+H)?(\d+M)?)?$/.test(start))
    throw new Error(
      `OpsDashboard start must be a duration like "-PT24H" or "-P7D", got "${start}"`,
    );
  for (const [i, w] of props.widgets.entries()) {
    const whole = (v: number, max: number) => Number.isInteger(v) && v >= 1 && v <= max;
    if (!whole(w.width, GRID_WIDTH) || !whole(w.height, MAX_HEIGHT))
      throw new Error(
        `OpsDashboard widget ${i} must be 1-${GRID_WIDTH} wide and 1-${MAX_HEIGHT} high, got ${w.width} x ${w.height}`,
      );
  }
}

/** Left to right, top to bottom; a row is as high as its highest widget. */
export function layout(widgets: readonly Widget[]): PlacedWidget[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((w) => {
    if (x + w.width > GRID_WIDTH) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = {
      type: w.type,
      x,
      y,
      width: w.width,
      height: w.height,
      properties: w.properties,
    };
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
    return placed;
  });
}

const NUMBER_OPEN = '@@ops-number(';
const NUMBER_CLOSE = ')@@';

/**
 * JSON of the body. String tokens stay inside their JSON strings (cdktf resolves them to `${var.x}`);
 * number tokens (a threshold variable) are written unquoted, so Terraform interpolates a JSON number.
 */
export function serializeBody(body: DashboardBody): string {
  const json = JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'number' && Token.isUnresolved(value)
      ? `${NUMBER_OPEN}${Token.asString(value)}${NUMBER_CLOSE}`
      : value,
  );
  const open = escapeRegExp(NUMBER_OPEN);
  const close = escapeRegExp(NUMBER_CLOSE);
  return json.replace(new RegExp(`"${open}(.*?)${close}"`, 'g'), '$1');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
