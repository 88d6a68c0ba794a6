import { TerraformVariable } from 'cdktf';
import { substituteTf } from '../../scripts/tf-values';
import {
  emfMetric,
  emfSearch,
  graph,
  insightsQuery,
  layout,
  metric,
  OpsDashboard,
  type OpsDashboardProps,
  search,
  text,
  type Widget,
} from '../../stacks/platform/dashboard';
import { NodeFunction, type NodeFunctionProps } from '../../stacks/platform/node-function';
import type { OpsStack } from '../../stacks/platform/ops-stack';
import { parseSynthBody } from '../support/dashboard-body';
import { only, synthJson, testStack, type TfJson } from '../support/synth';

const fnProps: NodeFunctionProps = {
  asset: 'demo-handler',
  name: 'demo',
  description: 'demo',
  statements: [
    { actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:q'] },
  ],
};

const aGraph = (title = 'g') =>
  graph({ title, series: [metric('AWS/SQS', 'NumberOfMessagesSent')] });

function synthDashboard(build: (stack: OpsStack) => Partial<OpsDashboardProps> = () => ({})): {
  json: TfJson;
  resource: Record<string, unknown>;
  dashboard: OpsDashboard;
} {
  const { stack } = testStack();
  const dashboard = new OpsDashboard(stack, 'dashboard', { widgets: [aGraph()], ...build(stack) });
  const json = synthJson(stack);
  return { json, resource: only(json, 'aws_cloudwatch_dashboard'), dashboard };
}

/** The body as Terraform will plan it with the given variable values (defaults otherwise). */
function plannedBody(json: TfJson, resource: Record<string, unknown>, vars = {}) {
  return JSON.parse(substituteTf(String(resource.dashboard_body), vars, json.variable)) as {
    widgets: Array<{ properties: Record<string, unknown> }>;
  };
}

describe('graph widgets', () => {
  test('render each metric as namespace, name, dimension pairs, then its own options', () => {
    // Act
    const widget = graph({
      title: 'Queue',
      stat: 'Sum',
      period: 3600,
      series: [
        metric('AWS/SQS', 'NumberOfMessagesSent', { QueueName: 'q' }),
        metric(
          'AWS/ECS',
          'CPUUtilization',
          { ClusterName: 'c', ServiceName: 's' },
          { stat: 'Maximum', label: 'cpu', yAxis: 'right', color: '#d62728' },
        ),
      ],
    });

    // Assess
    expect(widget).toEqual({
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: 'Queue',
        view: 'timeSeries',
        stacked: false,
        stat: 'Sum',
        period: 3600,
        yAxis: { left: { min: 0 } },
        metrics: [
          ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', 'q'],
          [
            'AWS/ECS',
            'CPUUtilization',
            'ClusterName',
            'c',
            'ServiceName',
            's',
            { stat: 'Maximum', label: 'cpu', yAxis: 'right', color: '#d62728' },
          ],
        ],
      },
    });
  });

  test('give expressions the ids e1, e2 ... around the ids already taken', () => {
    // Act
    const widget = graph({
      title: 'ids',
      series: [
        { kind: 'expression', expression: 'm1 * 2', id: 'e1' },
        metric('AWS/SQS', 'NumberOfMessagesSent', {}, { id: 'm1' }),
        { kind: 'expression', expression: 'm1 * 3' },
      ],
    });

    // Assess
    const rows = widget.properties.metrics as unknown[][];
    expect(rows.map((r) => (r[r.length - 1] as { id?: string }).id)).toEqual(['e1', 'm1', 'e2']);
  });

  test.each([
    [
      'a duplicate id',
      [metric('A', 'x', {}, { id: 'a' }), metric('A', 'y', {}, { id: 'a' })],
      /"a" is used twice/,
    ],
    ['a malformed id', [metric('A', 'x', {}, { id: 'X1' })], /id "X1" must match/],
    ['no series', [], /needs 1 to 100 series, got 0/],
    ['101 series', Array.from({ length: 101 }, (_, i) => metric('A', `m${i}`)), /got 101/],
  ])('refuse %s', (_what, series, message) => {
    // Act
    const act = () => graph({ title: 'bad', series });

    // Assess
    expect(act).toThrow(message);
  });

  test('refuse a period CloudWatch does not take, showing it', () => {
    // Act
    const act = () => graph({ title: 'p', period: 90, series: [metric('A', 'x')] });

    // Assess
    expect(act).toThrow(/multiple of 60 seconds, got 90/);
  });
});

describe('SEARCH and Metrics Insights expressions', () => {
  test('SEARCH names the complete dimension set and filters by exact values', () => {
    // Act
    const s = search(
      {
        namespace: 'OpsAutopilot',
        metricName: 'TargetCapacity',
        dimensionKeys: ['Pool', 'service'],
        filters: { service: 'capacity-reservation-reserver' },
        stat: 'Maximum',
        period: 300,
      },
      { label: 'target' },
    );

    // Assess
    expect(s).toEqual({
      kind: 'expression',
      expression:
        'SEARCH(\'{OpsAutopilot,Pool,service} MetricName="TargetCapacity" service="capacity-reservation-reserver"\', \'Maximum\', 300)',
      label: 'target',
    });
  });

  test.each([
    [
      { filters: { Pool: 'x' }, dimensionKeys: ['service'] },
      /filter "Pool" is not one of dimensionKeys/,
    ],
    [{ filters: { service: 'it"s' }, dimensionKeys: ['service'] }, /holds a quote/],
    [{ filters: {}, dimensionKeys: [] }, /dimensionKeys is empty/],
  ])('SEARCH refuses %j', (props, message) => {
    // Act
    const act = () =>
      search({ namespace: 'N', metricName: 'M', stat: 'Sum', period: 60, ...props });

    // Assess
    expect(act).toThrow(message);
  });

  test('a Metrics Insights query reads FROM SCHEMA with WHERE and GROUP BY', () => {
    // Act
    const q = insightsQuery({
      namespace: 'OpsAutopilot',
      metricName: 'CapacityGap',
      aggregate: 'MAX',
      dimensionKeys: ['Pool', 'service'],
      where: { service: 'capacity-reservation-reserver' },
      groupBy: ['Pool'],
    });

    // Assess
    expect(q.expression).toBe(
      'SELECT MAX(CapacityGap) FROM SCHEMA("OpsAutopilot", Pool, service) WHERE service = \'capacity-reservation-reserver\' GROUP BY Pool',
    );
  });

  test('a Metrics Insights query refuses to group by a dimension outside its schema', () => {
    // Act
    const act = () =>
      insightsQuery({
        namespace: 'N',
        metricName: 'M',
        aggregate: 'SUM',
        dimensionKeys: ['service'],
        groupBy: ['Pool'],
      });

    // Assess
    expect(act).toThrow(/"Pool" is not one of dimensionKeys/);
  });
});

describe('EMF metrics of a function', () => {
  test("take namespace OpsAutopilot and the function's POWERTOOLS_SERVICE_NAME as service", () => {
    // Prepare
    const { stack } = testStack();
    const asset = new NodeFunction(stack, 'fn', fnProps);
    const renamed = new NodeFunction(stack, 'fn2', {
      ...fnProps,
      asset: 'demo-other',
      name: 'demo2',
      environment: { POWERTOOLS_SERVICE_NAME: 'renamed' },
    });

    // Act
    const a = emfMetric(asset, 'Done', { Outcome: 'ok' });
    const b = emfSearch(renamed, 'Gap', ['Pool'], 'Maximum', 300);

    // Assess
    expect(a).toMatchObject({
      namespace: 'OpsAutopilot',
      metricName: 'Done',
      dimensions: { Outcome: 'ok', service: 'demo-handler' },
    });
    expect(b.expression).toBe(
      'SEARCH(\'{OpsAutopilot,Pool,service} MetricName="Gap" service="renamed"\', \'Maximum\', 300)',
    );
  });

  test('refuse a service dimension from the caller', () => {
    // Prepare
    const { stack } = testStack();
    const fn = new NodeFunction(stack, 'fn', fnProps);

    // Act
    const act = () => emfMetric(fn, 'Done', { service: 'other' });

    // Assess
    expect(act).toThrow(/"service" comes from the function/);
  });
});

describe('text widgets', () => {
  test('are full width Markdown', () => {
    // Act
    const widget = text('## Title');

    // Assess
    expect(widget).toEqual({
      type: 'text',
      width: 24,
      height: 2,
      properties: { markdown: '## Title' },
    });
  });

  test('refuse "${" and "%{", which Terraform would read as templates', () => {
    // Act
    const act = () => text('cost: ${var.x}');

    // Assess
    expect(act).toThrow(/Terraform template/);
  });
});

describe('layout', () => {
  test('places widgets left to right and starts a row when the next does not fit', () => {
    // Prepare
    const w = (width: number, height = 6): Widget => ({
      type: 'text',
      width,
      height,
      properties: {},
    });

    // Act
    const placed = layout([w(24, 2), w(12), w(8, 4), w(8), w(16)]);

    // Assess
    expect(placed.map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [0, 2],
      [12, 2],
      [0, 8],
      [8, 8],
    ]);
  });
});

describe('OpsDashboard', () => {
  test('is named <name_prefix>-<stack>, or <name_prefix>-<name>', () => {
    // Act
    const byStack = synthDashboard().resource;
    const byName = synthDashboard(() => ({ name: 'custom' })).resource;

    // Assess
    expect(byStack.dashboard_name).toBe('${var.name_prefix}-test-stack');
    expect(byName.dashboard_name).toBe('${var.name_prefix}-custom');
  });

  test('writes a JSON body: start, periodOverride inherit, placed widgets, the region variable on graphs', () => {
    // Act
    const { resource } = synthDashboard(() => ({
      widgets: [text('## T'), aGraph('one'), aGraph('two')],
      start: '-P7D',
    }));

    // Assess
    const body = parseSynthBody(String(resource.dashboard_body));
    expect(body.start).toBe('-P7D');
    expect(body.periodOverride).toBe('inherit');
    expect(body.widgets.map((w) => [w.type, w.x, w.y, w.properties.region])).toEqual([
      ['text', 0, 0, undefined],
      ['metric', 0, 2, '${var.region}'],
      ['metric', 12, 2, '${var.region}'],
    ]);
  });

  test('splices a number variable into an annotation, so the plan holds a JSON number', () => {
    // Act
    const { json, resource } = synthDashboard((stack) => {
      const threshold = new TerraformVariable(stack, 'threshold', { type: 'number', default: 80 });
      return {
        widgets: [
          graph({
            title: 'disk',
            series: [metric('AWS/Redshift', 'PercentageDiskSpaceUsed')],
            horizontalAnnotations: [{ label: 'alarm', value: threshold.numberValue }],
          }),
        ],
      };
    });

    // Assess
    expect(String(resource.dashboard_body)).toContain('"value":${var.threshold}');
    const planned = plannedBody(json, resource, { threshold: 85 });
    expect(planned.widgets[0]?.properties.annotations).toEqual({
      horizontal: [{ label: 'alarm', value: 85 }],
    });
  });

  test('keeps string references inside their JSON strings', () => {
    // Act
    const { json, resource } = synthDashboard((stack) => ({
      widgets: [
        graph({
          title: 'q',
          series: [metric('AWS/SQS', 'X', { QueueName: stack.name('queue') })],
        }),
      ],
    }));

    // Assess
    const planned = plannedBody(json, resource, { name_prefix: 'blue', region: 'eu-west-1' });
    expect(planned.widgets[0]?.properties).toMatchObject({
      metrics: [['AWS/SQS', 'X', 'QueueName', 'blue-queue']],
      region: 'eu-west-1',
    });
  });

  test.each([
    ['no widgets', { widgets: [] }, /1 to 500 widgets, got 0/],
    ['a widget 25 wide', { widgets: [{ ...aGraph(), width: 25 }] }, /1-24 wide .* got 25 x 6/],
    ['a start that is no duration', { start: 'yesterday' }, /duration .* got "yesterday"/],
    ['a name with a space', { name: 'a b' }, /name "a b" may hold only/],
  ])('refuses %s, showing the bad value', (_what, props, message) => {
    // Act
    const act = () => synthDashboard(() => props as Partial<OpsDashboardProps>);

    // Assess
    expect(act).toThrow(message);
  });
});
