import { TerraformVariable } from 'cdktf';
import { substituteTf } from '../../scripts/tf-values';
import { graph, metric, OpsDashboard } from '../../stacks/platform/dashboard';
import { optionalBodies, parseSynthBody } from '../support/dashboard-body';
import { only, synthJson, testStack } from '../support/synth';

/** A dashboard whose last graph, titled with a quote and a backslash, shows only when `var.extra` is true. */
function synthOptional() {
  const { stack } = testStack();
  new TerraformVariable(stack, 'extra', { type: 'bool', default: false });
  const graphOf = (title: string, queue: string) =>
    graph({ title, series: [metric('AWS/SQS', 'X', { QueueName: stack.name(queue) })] });
  new OpsDashboard(stack, 'dashboard', {
    widgets: [graphOf('always', 'main')],
    optional: { when: 'var.extra', widgets: [graphOf('say "hi" \\ twice', 'extra')] },
  });
  const json = synthJson(stack);
  return { json, body: String(only(json, 'aws_cloudwatch_dashboard').dashboard_body) };
}

describe('optional widgets of a dashboard', () => {
  test('Terraform plans the body without them when the condition is false, and with them when true', () => {
    // Prepare
    const { json, body } = synthOptional();
    const planned = (extra: boolean) =>
      JSON.parse(substituteTf(body, { extra, name_prefix: 'blue' }, json.variable)) as {
        widgets: Array<{ x: number; y: number; properties: Record<string, unknown> }>;
      };

    // Act
    const hidden = planned(false);
    const shown = planned(true);

    // Assess
    expect(hidden.widgets.map((w) => w.properties.title)).toEqual(['always']);
    expect(shown.widgets.map((w) => [w.properties.title, w.x, w.y])).toEqual([
      ['always', 0, 0],
      ['say "hi" \\ twice', 12, 0],
    ]);
    expect(shown.widgets[1]?.properties.metrics).toEqual([
      ['AWS/SQS', 'X', 'QueueName', 'blue-extra'],
    ]);
  });

  test('the synthesized body keeps the references as interpolations in both branches', () => {
    // Act
    const optional = optionalBodies(synthOptional().body);

    // Assess
    expect(optional?.when).toBe('var.extra');
    expect(optional?.hidden).toContain('"QueueName","${var.name_prefix}-main"');
    expect(parseSynthBody(optional!.shown).widgets[1]?.properties.region).toBe('${var.region}');
  });

  test('refuses an optional widget of a bad size, showing it', () => {
    // Act
    const act = () =>
      new OpsDashboard(testStack().stack, 'dashboard', {
        widgets: [graph({ title: 'a', series: [metric('AWS/SQS', 'X')] })],
        optional: {
          when: 'true',
          widgets: [{ ...graph({ title: 'b', series: [metric('AWS/SQS', 'X')] }), width: 30 }],
        },
      });

    // Assess
    expect(act).toThrow(/widget 1 must be 1-24 wide .* got 30 x 6/);
  });
});
