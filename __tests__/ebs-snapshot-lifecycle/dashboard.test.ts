import { COPY_METRICS } from '../../functions/ebs-snapshot/metric-names';
import { METRICS_NAMESPACE } from '../../stacks/platform/dashboard';
import { type Body, metricRefs, optionalBodies, parseSynthBody } from '../support/dashboard-body';
import { only, resourceById, synthStack } from '../support/synth';
import { describeTerraform, evaluate, inner } from '../support/tf-eval';
import { readTfvarsExample } from '../support/tfvars';

/**
 * The copy metrics are on the dashboard only when copies are on: the copy resources are counted on
 * `length(var.snapshot_copy_regions) > 0`, and the dashboard body is a conditional on the same expression.
 */
const { json } = synthStack('ebs-snapshot-lifecycle');
const synthesized = String(only(json, 'aws_cloudwatch_dashboard').dashboard_body);
const COPY_SERVICE = 'ebs-snapshot-copy';
const copyRefs = (body: Body) =>
  metricRefs(body).filter((r) => r.dimensions.service === COPY_SERVICE);

describe('dashboard: cross-Region copies', () => {
  test('the body shows its copy widgets on the condition the copy resources are counted on', () => {
    // Act
    const optional = optionalBodies(synthesized);

    // Assess
    expect(optional?.when).toBe('length(var.snapshot_copy_regions) > 0');
    expect(resourceById(json, 'aws_sqs_queue', 'copy').count).toBe(`\${${optional?.when} ? 1 : 0}`);
  });

  test('with copies, every copy metric the copy function emits is graphed, by its service only', () => {
    // Act
    const refs = copyRefs(parseSynthBody(synthesized));

    // Assess
    expect(refs.map((r) => r.name).sort()).toEqual(Object.values(COPY_METRICS).sort());
    for (const r of refs) {
      expect(r.namespace).toBe(METRICS_NAMESPACE);
      expect(Object.keys(r.dimensions)).toEqual(['service']);
    }
  });

  test('with copies, the copy queue and the copy function errors are graphed', () => {
    // Act
    const refs = metricRefs(parseSynthBody(synthesized));

    // Assess
    expect(refs.map((r) => r.dimensions.QueueName ?? r.dimensions.FunctionName)).toEqual(
      expect.arrayContaining([
        '${var.name_prefix}-ebs-snapshot-copies',
        '${var.name_prefix}-ebs-snapshot-copy',
      ]),
    );
  });
});

describeTerraform('dashboard: the body Terraform plans, with and without copy Regions', () => {
  const example = readTfvarsExample();
  const vars = (regions: string[]) =>
    Object.fromEntries(
      Object.entries({ ...example, snapshot_copy_regions: regions }).filter(
        ([k]) => k in json.variable,
      ),
    );
  const planned = (regions: string[]) =>
    JSON.parse(String(evaluate(json, { body: inner(synthesized) }, vars(regions)).body)) as Body;

  test('without copy Regions: no copy widget; with one: the same widgets, then the copy widgets', () => {
    // Act
    const without = planned([]);
    const withCopies = planned(['us-west-2']);

    // Assess
    expect(copyRefs(without)).toEqual([]);
    expect(
      copyRefs(withCopies)
        .map((r) => r.name)
        .sort(),
    ).toEqual(Object.values(COPY_METRICS).sort());
    expect(withCopies.widgets.slice(0, without.widgets.length)).toEqual(without.widgets);
    expect(withCopies.widgets).toHaveLength(without.widgets.length + 2);
    expect(JSON.stringify(withCopies)).toContain('"ops-autopilot-ebs-snapshot-copies"');
  });
});
