import {
  code,
  renderMarkdown,
  summarizePlan,
  summarizePlanText,
  text,
} from '../../../scripts/plan-summary';
import { fixture, log } from './support';

describe('renderMarkdown', () => {
  const iam = summarizePlan('ebs-snapshot-lifecycle', fixture('iam.json'));
  const sg = summarizePlan('ecs-spot-api', fixture('security-groups.json'));
  const actions = summarizePlan('redshift-resize', fixture('actions.json'));

  test('starts with the title and an overview row per stack', () => {
    const md = renderMarkdown([actions], { title: 'Plan summary' });
    expect(md.split('\n').slice(0, 5)).toEqual([
      '## Plan summary',
      '',
      '| stack | add | change | destroy | replace | IAM | security groups |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| `redshift-resize` | 1 | 1 | 1 | 2 | 0 | 0 |',
    ]);
  });

  test('heads each stack with its counts and a table by resource type', () => {
    const md = renderMarkdown([actions]);
    expect(md).toContain(
      '### `redshift-resize`: 1 to import, 1 to add, 1 to change, 1 to destroy, 2 to replace',
    );
    expect(md).toContain('| `aws_dynamodb_table` |  |  |  | 1 |');
  });

  test('spells out added and removed IAM statements with actions, resources and conditions', () => {
    const md = renderMarkdown([iam]);
    expect(md).toContain(
      '    - `+` Allow `ec2:DeleteSnapshot` on `arn:aws:ec2:us-east-1::snapshot/*` when `StringEquals aws:ResourceTag/managed-by=ops-autopilot/ebs-snapshot-lifecycle` (DeleteOnlyManagedSnapshots)',
    );
    expect(md).toContain('    - `-` Allow `ec2:DeleteSnapshot` on `*` (DeleteAnySnapshot)');
  });

  test('shows principals and a Deny in bold', () => {
    const md = renderMarkdown([iam]);
    expect(md).toContain(
      '    - `-` **Deny** `*` to all actions but `sqs:GetQueueUrl` on `*` when `Bool aws:SecureTransport=false` (DenyInsecureTransport)',
    );
  });

  test('says when a policy is known only after apply', () => {
    expect(renderMarkdown([iam])).toContain(
      '  - `policy`: **known only after apply** from `data.aws_iam_policy_document.alerts.json`; review it in the apply',
    );
  });

  test('flags a rule open to the internet', () => {
    expect(renderMarkdown([sg])).toContain(
      '  - `+` ingress from `0.0.0.0/0` on `tcp/443` **⚠ open to the internet** (HTTPS from anywhere)',
    );
  });

  test('lists all changes in a collapsed block, with forced replacements', () => {
    const md = renderMarkdown([actions]);
    expect(md).toContain('<details><summary>All 7 changes</summary>');
    expect(md).toContain(
      '- `-/+` replace `aws_dynamodb_table.snapshots`: forced by `name`; `replace_because_cannot_update`',
    );
  });

  test('lists an import without other change as import only', () => {
    expect(renderMarkdown([actions])).toContain('- `import` import only `aws_sqs_queue.imported`');
  });

  test('marks a failed stack and shows its error', () => {
    const failed = summarizePlanText('redshift-resize', log('cdktf-diff-error.log'));
    const md = renderMarkdown([failed]);
    expect(md).toContain('| `redshift-resize` | ❌ | | | | | |');
    expect(md).toContain('```text\nError: No valid credential sources found\n```');
  });

  test('shows "?" for details a plan log cannot give', () => {
    const fromLog = summarizePlanText('ebs-snapshot-lifecycle', log('cdktf-diff.log'));
    expect(renderMarkdown([fromLog])).toContain(
      '| `ebs-snapshot-lifecycle` | 1 | 2 | 1 | ? | ? | ? |',
    );
  });

  test('wraps each stack in <details> when collapsed', () => {
    const md = renderMarkdown([actions], { collapsed: true });
    expect(md).toContain(
      '<details><summary><code>redshift-resize</code>: 1 to import, 1 to add, 1 to change, 1 to destroy, 2 to replace</summary>',
    );
    expect(md).not.toContain('### ');
  });

  test('drops the per-resource lists when too long, keeping destroyed and replaced resources', () => {
    // Prepare
    const full = renderMarkdown([actions, iam, sg]);

    // Act
    const md = renderMarkdown([actions, iam, sg], { maxLength: full.length - 1 });

    // Assess
    expect(md.length).toBeLessThan(full.length);
    expect(md).not.toContain('All 7 changes');
    expect(md).not.toContain('| resource type |');
    expect(md).toContain('- `-/+` replace `aws_dynamodb_table.snapshots`');
  });

  test('cuts at a line and closes open blocks when even the compact form is too long', () => {
    // Act
    const md = renderMarkdown([actions, iam, sg], { collapsed: true, maxLength: 1500 });

    // Assess
    expect(md.length).toBeLessThanOrEqual(1500);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    expect(
      md.trimEnd().endsWith('_Summary cut to fit; the whole summary is in the workflow run._'),
    ).toBe(true);
  });

  test('says so when there is no stack', () => {
    expect(renderMarkdown([])).toContain('No stacks were planned.');
  });
});

describe('Markdown escaping', () => {
  test('code() fences a value that holds backticks', () => {
    expect(code('a`b')).toBe('``a`b``');
  });

  test('text() neutralizes HTML, links and table breaks', () => {
    expect(text('<img src=x> [a](b) | c')).toBe('\\<img src=x\\> \\[a\\](b) \\| c');
  });
});
