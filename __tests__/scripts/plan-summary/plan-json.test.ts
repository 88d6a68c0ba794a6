import { classifyActions, summarizePlan } from '../../../scripts/plan-summary';
import { fixture } from './support';

describe('classifyActions', () => {
  test.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['read'], 'read'],
    [['forget'], 'forget'],
    [['no-op'], 'no-op'],
  ])('%j is %s', (actions, expected) => {
    expect(classifyActions(actions)).toBe(expected);
  });
});

describe('summarizePlan: counts and grouping', () => {
  const summary = summarizePlan('ebs-snapshot-lifecycle', fixture('actions.json'));

  test('counts add, change, destroy and replace (both replace orders), imports and deferred reads', () => {
    expect(summary.counts).toEqual({
      add: 1,
      change: 1,
      destroy: 1,
      replace: 2,
      read: 1,
      forget: 0,
      import: 1,
    });
  });

  test('groups managed resources by type, sorted, leaving out data sources and untouched types', () => {
    expect(summary.byType).toEqual([
      { type: 'aws_cloudwatch_log_group', add: 0, change: 0, destroy: 1, replace: 0 },
      { type: 'aws_dynamodb_table', add: 0, change: 0, destroy: 0, replace: 1 },
      { type: 'aws_lambda_function', add: 0, change: 1, destroy: 0, replace: 0 },
      { type: 'aws_sns_topic', add: 0, change: 0, destroy: 0, replace: 1 },
      { type: 'aws_sqs_queue', add: 1, change: 0, destroy: 0, replace: 0 },
    ]);
  });

  test('lists every change by address but no no-op, except an import', () => {
    expect(summary.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      'delete aws_cloudwatch_log_group.old',
      'replace aws_dynamodb_table.snapshots',
      'update aws_lambda_function.create',
      'replace aws_sns_topic.alerts[0]',
      'create aws_sqs_queue.failures',
      'no-op aws_sqs_queue.imported',
      'read data.aws_caller_identity.current',
    ]);
  });

  test('names the attributes that force a replacement, and the reason', () => {
    const table = summary.changes.find((c) => c.address === 'aws_dynamodb_table.snapshots');
    expect(table).toMatchObject({
      replacePaths: ['name'],
      reason: 'replace_because_cannot_update',
    });
  });

  test('names the attributes an update changes, including ones known only after apply', () => {
    const fn = summary.changes.find((c) => c.address === 'aws_lambda_function.create');
    expect(fn?.changedAttributes).toEqual(['environment', 'last_modified', 'memory_size']);
  });

  test('marks an imported resource', () => {
    const queue = summary.changes.find((c) => c.address === 'aws_sqs_queue.imported');
    expect(queue?.imported).toBe(true);
  });

  test('finds no IAM or security-group change in a plan without them', () => {
    expect([summary.iam, summary.securityGroups]).toEqual([[], []]);
  });

  test('of an empty plan is all zeros with nothing listed', () => {
    const empty = summarizePlan('x', { resource_changes: [] });
    expect(empty).toMatchObject({ changes: [], byType: [], iam: [], securityGroups: [] });
    expect(Object.values(empty.counts).every((n) => n === 0)).toBe(true);
  });

  test('of an errored plan carries an error', () => {
    expect(summarizePlan('x', { errored: true }).error).toBe('the plan errored');
  });
});
