import { plannedResources, type PlanJson } from '../../scripts/offline-proof';

/**
 * Reading a dashboard body back: every metric a graph plots, whether named directly, by a SEARCH expression
 * or by a Metrics Insights query, so tests can check each reference against what exists and is emitted.
 */

export interface BodyWidget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface Body {
  start?: string;
  periodOverride?: string;
  widgets: BodyWidget[];
}

/** A metric a widget reads. `dimensions` holds exact values; `anyValueOf` the keys a SEARCH/query leaves open. */
export interface MetricRef {
  readonly widget: string;
  readonly via: 'metric' | 'search' | 'insights';
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly anyValueOf: readonly string[];
  readonly stat?: string;
}

/** `${<when> ? "<body>" : "<body>"}`: a body with optional widgets (OpsDashboard's `optional`). */
const OPTIONAL = /^\$\{(.+?) \? "((?:[^"\\]|\\.)*)" : "((?:[^"\\]|\\.)*)"\}$/s;
const unquote = (hcl: string) => hcl.replace(/\\(.)/g, '$1');

/** The two synthesized bodies of a dashboard with optional widgets, or undefined for a plain body. */
export function optionalBodies(
  body: string,
): { when: string; shown: string; hidden: string } | undefined {
  const m = OPTIONAL.exec(body);
  return m ? { when: m[1]!, shown: unquote(m[2]!), hidden: unquote(m[3]!) } : undefined;
}

/**
 * Parses a body as synthesized: string references stay inside their JSON strings, while a number reference
 * (a threshold variable) stands unquoted, so it is quoted here to keep the text JSON. A body with optional
 * widgets is read with them shown: every widget it can show.
 */
export function parseSynthBody(body: string): Body {
  const optional = optionalBodies(body);
  if (optional) return parseSynthBody(optional.shown);
  let out = '';
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += body[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '$' && body[i + 1] === '{') {
      const end = body.indexOf('}', i);
      out += JSON.stringify(body.slice(i, end + 1));
      i = end;
    } else out += c;
  }
  return JSON.parse(out) as Body;
}

const SEARCH = /^SEARCH\('\{([^}]*)\}((?: [A-Za-z][A-Za-z0-9_]*="[^"]*")+)', '([^']+)', (\d+)\)$/;
const TERM = / ([A-Za-z][A-Za-z0-9_]*)="([^"]*)"/g;
const INSIGHTS =
  /^SELECT (AVG|MAX|MIN|SUM|COUNT)\(([A-Za-z0-9_]+)\) FROM SCHEMA\("([^"]+)", ([^)]*)\)(?: WHERE (.+?))?(?: GROUP BY (.+))?$/;

/** Every metric every graph of the body reads; throws on an expression it cannot read. */
export function metricRefs(body: Body): MetricRef[] {
  return body.widgets
    .filter((w) => w.type === 'metric')
    .flatMap((w) => {
      const title = String(w.properties.title);
      const rows = w.properties.metrics as unknown[][];
      return rows.map((row) => readRow(title, row, w.properties.stat as string | undefined));
    });
}

function readRow(widget: string, row: unknown[], graphStat: string | undefined): MetricRef {
  const last = row[row.length - 1];
  const options =
    typeof last === 'object' && last !== null ? (last as Record<string, unknown>) : undefined;
  if (options && typeof options.expression === 'string')
    return readExpression(widget, options.expression);
  const [namespace, name, ...rest] = (options ? row.slice(0, -1) : row) as string[];
  if (rest.length % 2 !== 0)
    throw new Error(`${widget}: odd dimension list ${JSON.stringify(row)}`);
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) dimensions[rest[i]!] = rest[i + 1]!;
  return {
    widget,
    via: 'metric',
    namespace: namespace!,
    name: name!,
    dimensions,
    anyValueOf: [],
    stat: (options?.stat as string | undefined) ?? graphStat,
  };
}

function readExpression(widget: string, expression: string): MetricRef {
  const search = SEARCH.exec(expression);
  if (search) {
    const [namespace, ...keys] = search[1]!.split(',');
    const terms = Object.fromEntries(
      [...search[2]!.matchAll(TERM)].map((m) => [m[1]!, m[2]!] as const),
    );
    const { MetricName: name, ...dimensions } = terms;
    if (!name) throw new Error(`${widget}: SEARCH without MetricName: ${expression}`);
    for (const k of Object.keys(dimensions))
      if (!keys.includes(k)) throw new Error(`${widget}: SEARCH filters ${k} outside its schema`);
    return {
      widget,
      via: 'search',
      namespace: namespace!,
      name,
      dimensions,
      anyValueOf: keys.filter((k) => !(k in dimensions)),
      stat: search[3]!,
    };
  }
  const sql = INSIGHTS.exec(expression);
  if (sql) {
    const keys = sql[4]!.split(',').map((k) => k.trim());
    const dimensions = Object.fromEntries(
      (sql[5] ?? '')
        .split(' AND ')
        .filter(Boolean)
        .map((c) => {
          const m = /^([A-Za-z0-9_]+) = '([^']*)'$/.exec(c.trim());
          if (!m) throw new Error(`${widget}: unreadable condition "${c}" in ${expression}`);
          return [m[1]!, m[2]!] as const;
        }),
    );
    return {
      widget,
      via: 'insights',
      namespace: sql[3]!,
      name: sql[2]!,
      dimensions,
      anyValueOf: keys.filter((k) => !(k in dimensions)),
      stat: sql[1]!,
    };
  }
  throw new Error(
    `${widget}: expression neither SEARCH nor a Metrics Insights query: ${expression}`,
  );
}

/** Every dimension name of a reference, sorted. */
export function dimensionKeys(ref: MetricRef): string[] {
  return [...Object.keys(ref.dimensions), ...ref.anyValueOf].sort();
}

/** The plan's one dashboard body, parsed; fails when it is not known at plan time or not JSON. */
export function plannedDashboardBody(plan: PlanJson): Body {
  const dashboards = plannedResources(plan, 'aws_cloudwatch_dashboard');
  if (dashboards.length !== 1)
    throw new Error(`expected one dashboard, planned ${dashboards.length}`);
  const body = dashboards[0]?.values.dashboard_body;
  if (typeof body !== 'string') throw new Error('dashboard_body is not known at plan time');
  return JSON.parse(body) as Body;
}

/** Horizontal annotations of the graph whose title starts with `title`, as [label, value]. */
export function annotationsOf(body: Body, title: string): Array<[string, unknown]> {
  const graph = body.widgets.find((w) => String(w.properties.title).startsWith(title));
  if (!graph) throw new Error(`no graph titled "${title}..."`);
  const annotations = graph.properties.annotations as
    | { horizontal?: Array<{ label: string; value: unknown }> }
    | undefined;
  return (annotations?.horizontal ?? []).map((a) => [a.label, a.value]);
}
