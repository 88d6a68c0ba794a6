import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { GRID_WIDTH, type Widget } from './dashboard-widgets';
import { OpsStack } from './ops-stack';

export * from './dashboard-series';
export * from './dashboard-widgets';

/**
 * A CloudWatch dashboard built from typed widgets (graphs of metrics, SEARCH and Metrics Insights
 * expressions, Markdown text), laid out left to right in rows of the 24-unit grid. The body is JSON written
 * here; names and the region may be Terraform references (cdktf resolves them inside the string), and so
 * may numbers such as alarm thresholds (they are spliced in unquoted). No AWS call at plan time.
 */

const MAX_WIDGETS = 500;
const MAX_HEIGHT = 1000;

export interface OpsDashboardProps {
  /** In reading order; each row of the 24-unit grid takes widgets until the next does not fit. */
  readonly widgets: readonly Widget[];
  /** Name suffix: `<name_prefix>-<name>`. @default the stack's name */
  readonly name?: string;
  /** Time range shown when the dashboard opens (ISO 8601 duration before now). @default '-PT24H' */
  readonly start?: string;
  /**
   * Widgets placed after `widgets` only when a Terraform condition over variables holds (an optional part of
   * the stack, e.g. resources counted on a variable). @default none
   */
  readonly optional?: { readonly when: string; readonly widgets: readonly Widget[] };
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
    const inRegion = (widgets: readonly Widget[]) =>
      widgets.map((w) =>
        w.type === 'metric' ? { ...w, properties: { ...w.properties, region: stack.region } } : w,
      );
    const bodyOf = (widgets: readonly Widget[]): DashboardBody => ({
      start,
      // Each graph keeps its own period (per day, per 5 minutes) whatever the time range.
      periodOverride: 'inherit',
      widgets: layout(inRegion(widgets)),
    });
    const optional = props.optional;
    this.body = bodyOf([...props.widgets, ...(optional?.widgets ?? [])]);
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.dashboardName,
      dashboardBody: optional
        ? `\${${optional.when} ? "${hclString(serializeBody(this.body))}" : "${hclString(serializeBody(bodyOf(props.widgets)))}"}`
        : serializeBody(this.body),
    });
  }
}

/** cdktf's encoding of a string token inside a string. */
const TOKEN = /\$\{TfToken\[[^\]]+\]\}/g;

/**
 * `text` as the body of an HCL quoted string inside an interpolation: `\` and `"` escaped, and each cdktf token
 * wrapped in `${...}` of its own. cdktf writes a token inside an open `${` without braces until the next `}`
 * (its escape handling), so the wrapped token becomes `${var.x}`, a nested interpolation, wherever it stands.
 */
function hclString(text: string): string {
  const literals = text.split(TOKEN);
  const tokens = text.match(TOKEN) ?? [];
  if (literals.some((l) => /[$%]\{/.test(l)))
    throw new Error(`dashboard body holds "\${" or "%{" outside a reference: ${text}`);
  return literals
    .map((l, i) => l.replace(/[\\"]/g, (c) => `\\${c}`) + (tokens[i] ? `\${${tokens[i]}}` : ''))
    .join('');
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
  for (const [i, w] of [...props.widgets, ...(props.optional?.widgets ?? [])].entries()) {
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
function serializeBody(body: DashboardBody): string {
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
