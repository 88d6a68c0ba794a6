import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyActions,
  code,
  parsePolicy,
  renderMarkdown,
  runIdOf,
  summarizePlan,
  summarizePlanText,
  text,
  type IamChange,
  type SecurityGroupChange,
  type StackSummary,
  type TfPlan,
} from '../../scripts/plan-summary';

const FIXTURES = join(__dirname, 'fixtures', 'plan-summary');
const fixture = (name: string): TfPlan =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as TfPlan;
const log = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

function iamOf(summary: StackSummary, address: string): IamChange {
  const found = summary.iam.find((i) => i.address === address);
  if (!found) throw new Error(`no IAM change for ${address}`);
  return found;
}

function sgOf(summary: StackSummary, address: string): SecurityGroupChange {
  const found = summary.securityGroups.find((g) => g.address === address);
  if (!found) throw new Error(`no security group change for ${address}`);
  return found;
}

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

describe('summarizePlan: IAM changes', () => {
  const summary = summarizePlan('ebs-snapshot-lifecycle', fixture('iam.json'));

  test('an updated policy shows added and removed statements; reordered actions are unchanged', () => {
    // Act
    const [policy] = iamOf(summary, 'aws_iam_role_policy.delete').policies;

    // Assess
    expect(policy).toMatchObject({ attribute: 'policy', state: 'known', unchanged: 1 });
    expect(policy?.added).toEqual([
      {
        sid: 'DeleteOnlyManagedSnapshots',
        effect: 'Allow',
        actions: ['ec2:DeleteSnapshot'],
        resources: ['arn:aws:ec2:us-east-1::snapshot/*'],
        conditions: [
          'StringEquals aws:ResourceTag/managed-by=ops-autopilot/ebs-snapshot-lifecycle',
        ],
      },
    ]);
    expect(policy?.removed).toEqual([
      {
        sid: 'DeleteAnySnapshot',
        effect: 'Allow',
        actions: ['ec2:DeleteSnapshot'],
        resources: ['*'],
      },
    ]);
  });

  test('a role policy names its role', () => {
    expect(iamOf(summary, 'aws_iam_role_policy.delete').details).toEqual([
      'role: ops-autopilot-ebs-snapshot-delete',
    ]);
  });

  test('a new role shows its trust policy with the service principal', () => {
    const role = iamOf(summary, 'aws_iam_role.create');
    expect(role.policies).toEqual([
      {
        attribute: 'assume_role_policy',
        state: 'known',
        added: [
          {
            effect: 'Allow',
            principals: ['Service:lambda.amazonaws.com'],
            actions: ['sts:AssumeRole'],
          },
        ],
        removed: [],
        unchanged: 0,
      },
    ]);
  });

  test('a computed attribute nobody configured is not shown (managed_policy_arns of a new role)', () => {
    expect(iamOf(summary, 'aws_iam_role.create').details).toEqual([
      'name: ops-autopilot-ebs-snapshot-create',
    ]);
  });

  test('a changed inline policy of a role is diffed by name', () => {
    const [inline] = iamOf(summary, 'aws_iam_role.legacy').policies;
    expect(inline).toMatchObject({ attribute: 'inline_policy[logs]', unchanged: 0 });
    expect(inline?.added[0]?.actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(inline?.removed[0]?.actions).toEqual(['logs:*']);
  });

  test('an updated role whose trust policy did not change lists only what changed', () => {
    expect(iamOf(summary, 'aws_iam_role.legacy').policies.map((p) => p.attribute)).toEqual([
      'inline_policy[logs]',
    ]);
  });

  test('a policy attachment shows the role and the managed policy', () => {
    expect(iamOf(summary, 'aws_iam_role_policy_attachment.readonly').details).toEqual([
      'role: ops-autopilot-ebs-snapshot-create',
      'policy_arn: arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });

  test('a KMS key whose policy did not change is not an IAM change', () => {
    expect(summary.iam.map((i) => i.address)).not.toContain('aws_kms_key.alerts');
  });

  test("an SNS topic's computed default policy is not an IAM change", () => {
    expect(summary.iam.map((i) => i.address)).not.toContain('aws_sns_topic.alerts');
  });

  test('a policy known only after apply says so and names what it is computed from', () => {
    expect(iamOf(summary, 'aws_sns_topic_policy.alerts').policies).toEqual([
      {
        attribute: 'policy',
        state: 'unknown',
        added: [],
        removed: [],
        unchanged: 0,
        references: ['data.aws_iam_policy_document.alerts.json'],
      },
    ]);
  });

  test('a deleted queue policy lists its statements as removed, with principals and conditions', () => {
    const [policy] = iamOf(summary, 'aws_sqs_queue_policy.failures').policies;
    expect(policy?.added).toEqual([]);
    expect(policy?.removed).toEqual([
      {
        sid: 'EventsSend',
        effect: 'Allow',
        principals: ['Service:events.amazonaws.com'],
        actions: ['sqs:SendMessage'],
        resources: ['arn:aws:sqs:us-east-1:123456789012:ops-autopilot-failures'],
      },
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principals: ['*'],
        notActions: ['sqs:GetQueueUrl'],
        resources: ['*'],
        conditions: ['Bool aws:SecureTransport=false'],
      },
    ]);
  });

  test('a Lambda permission reads as one grant, with the source known only after apply', () => {
    expect(iamOf(summary, 'aws_lambda_permission.schedule').details).toEqual([
      'events.amazonaws.com may lambda:InvokeFunction on ops-autopilot-ebs-snapshot-create, source_arn aws_cloudwatch_event_rule.schedule.arn (known after apply)',
    ]);
  });

  test('a sensitive policy is not shown', () => {
    expect(iamOf(summary, 'aws_iam_policy.secret').policies).toEqual([
      { attribute: 'policy', state: 'sensitive', added: [], removed: [], unchanged: 0 },
    ]);
  });

  test('a policy that is not JSON is reported as invalid', () => {
    expect(iamOf(summary, 'aws_secretsmanager_secret.db').policies[0]?.state).toBe('invalid');
  });
});

describe('parsePolicy', () => {
  test('reads a single statement object and a wildcard principal', () => {
    expect(
      parsePolicy(
        '{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}',
      ),
    ).toEqual([
      { effect: 'Allow', principals: ['*'], actions: ['s3:GetObject'], resources: ['*'] },
    ]);
  });

  test('lists principals of several kinds, each kind sorted', () => {
    const [s] =
      parsePolicy({
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Service: 'sns.amazonaws.com',
              AWS: ['arn:aws:iam::1:root', 'arn:aws:iam::2:root'],
            },
            Action: 'kms:Decrypt',
          },
        ],
      }) ?? [];
    expect(s?.principals).toEqual([
      'AWS:arn:aws:iam::1:root',
      'AWS:arn:aws:iam::2:root',
      'Service:sns.amazonaws.com',
    ]);
  });

  test('gives undefined for text that is not JSON', () => {
    expect(parsePolicy('{')).toBeUndefined();
  });

  test('reads an empty document as no statements', () => {
    expect(parsePolicy('')).toEqual([]);
  });
});

describe('summarizePlan: security-group changes', () => {
  const summary = summarizePlan('ecs-spot-api', fixture('security-groups.json'));

  test('an ingress rule from 0.0.0.0/0 is flagged open, with its ports and group', () => {
    expect(sgOf(summary, 'aws_vpc_security_group_ingress_rule.public_https')).toEqual({
      address: 'aws_vpc_security_group_ingress_rule.public_https',
      type: 'aws_vpc_security_group_ingress_rule',
      action: 'create',
      group: 'sg-0123456789abcdef0',
      added: [
        {
          direction: 'ingress',
          ports: 'tcp/443',
          peers: ['0.0.0.0/0'],
          description: 'HTTPS from anywhere',
          open: true,
        },
      ],
      removed: [],
      details: [],
    });
  });

  test('a rule referencing a security group known only after apply names the reference', () => {
    const rule = sgOf(summary, 'aws_vpc_security_group_ingress_rule.database_from_app');
    expect(rule.group).toBe('aws_security_group.database.id (known after apply)');
    expect(rule.added).toEqual([
      {
        direction: 'ingress',
        ports: 'tcp/3306',
        peers: ['sg aws_security_group.app.id (known after apply)'],
        description: 'MySQL from the app',
        open: false,
      },
    ]);
  });

  test('an updated rule shows the old rule removed and the new one added', () => {
    const rule = sgOf(summary, 'aws_vpc_security_group_egress_rule.app_to_apis');
    expect(rule.removed.map((r) => `${r.direction} ${r.ports} ${r.peers.join(',')}`)).toEqual([
      'egress tcp/443 10.0.0.0/16',
    ]);
    expect(rule.added.map((r) => `${r.direction} ${r.ports} ${r.peers.join(',')}`)).toEqual([
      'egress tcp/8443 10.0.0.0/16',
    ]);
  });

  test('inline rules of a group are diffed; unchanged egress is not listed', () => {
    const group = sgOf(summary, 'aws_security_group.bastion');
    expect(group.added.map((r) => `${r.ports} ${r.peers.join(',')} open=${r.open}`)).toEqual([
      'tcp/22 0.0.0.0/0,::/0 open=true',
      'tcp/5432 sg sg-0bbbbbbbbbbbbbbbb,self open=false',
    ]);
    expect(group.removed.map((r) => `${r.ports} ${r.peers.join(',')}`)).toEqual([
      'tcp/80 10.0.0.0/8',
    ]);
  });

  test('a deleted legacy rule for all traffic reads "all traffic", and egress is never "open"', () => {
    expect(sgOf(summary, 'aws_security_group_rule.legacy_all_out').removed).toEqual([
      { direction: 'egress', ports: 'all traffic', peers: ['0.0.0.0/0'], open: false },
    ]);
  });

  test('a new group whose rules are separate resources shows its name, description and VPC only', () => {
    expect(sgOf(summary, 'aws_security_group.app')).toMatchObject({
      added: [],
      removed: [],
      details: [
        'name: ops-autopilot-app',
        'description: App tasks',
        'vpc_id: aws_vpc.main.id (known after apply)',
      ],
    });
  });

  test('a group whose update touches no rule, name or description is left out (tags only)', () => {
    expect(summary.securityGroups.map((g) => g.address)).not.toContain('aws_security_group.web');
  });
});

describe('summarizePlanText (remote run logs)', () => {
  test('reads the counts and run link from cdktf diff output with stack prefixes and colours', () => {
    // Act
    const summary = summarizePlanText('ebs-snapshot-lifecycle', log('cdktf-diff.log'));

    // Assess
    expect(summary).toMatchObject({
      source: 'plan-text',
      counts: { add: 1, change: 2, destroy: 1, replace: 0, import: 0 },
      runUrl:
        'https://app.terraform.io/app/acme/ops-autopilot-ebs-snapshot-lifecycle/runs/run-CZcmD7eagjhyX0vN',
    });
    expect(summary.error).toBeUndefined();
  });

  test('reports the Error: lines of a failed plan', () => {
    expect(summarizePlanText('redshift-resize', log('cdktf-diff-error.log')).error).toBe(
      'Error: No valid credential sources found',
    );
  });

  test('reads "No changes." as all zeros', () => {
    const summary = summarizePlanText(
      'x',
      'x  No changes. Your infrastructure matches the configuration.\n',
    );
    expect([
      summary.counts.add,
      summary.counts.change,
      summary.counts.destroy,
      summary.error,
    ]).toEqual([0, 0, 0, undefined]);
  });

  test('reads imports and forgets', () => {
    const summary = summarizePlanText(
      'x',
      'Plan: 2 to import, 1 to add, 0 to change, 0 to destroy, 3 to forget.',
    );
    expect(summary.counts).toMatchObject({ import: 2, add: 1, forget: 3 });
  });

  test('is an error when the log holds no plan result', () => {
    expect(summarizePlanText('x', 'Initializing...').error).toBe('no plan result found in the log');
  });

  test('runIdOf finds the run id in a run link', () => {
    expect(runIdOf('https://app.terraform.io/app/acme/ws/runs/run-AbC123')).toBe('run-AbC123');
  });
});

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
