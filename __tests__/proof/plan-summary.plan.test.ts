import type { StackProof } from '../../scripts/offline-proof';
import {
  renderMarkdown,
  summarizePlan,
  type StackSummary,
  type TfPlan,
} from '../../scripts/plan-summary';
import { describeOffline, offlineProof } from '../support/offline';

/** The summarizer on a real `terraform show -json` of a stack with IAM, a Lambda permission and SG rules. */
describeOffline('plan summary of the offline plan of capacity-reservations', () => {
  let proof: StackProof;
  let summary: StackSummary;
  beforeAll(async () => {
    proof = await offlineProof('capacity-reservations');
    summary = summarizePlan('capacity-reservations', proof.plan as TfPlan);
  }, 300_000);

  test('counts every planned resource as an addition (empty state)', () => {
    expect([summary.counts.add, summary.counts.change, summary.counts.destroy]).toEqual([
      proof.plan.resource_changes.filter((r) => r.change.actions.join() === 'create').length,
      0,
      0,
    ]);
  });

  test("shows the reserver's policy statements, known at plan time", () => {
    const policy = summary.iam.find((i) => i.type === 'aws_iam_role_policy')?.policies[0];
    expect(policy?.state).toBe('known');
    expect(policy?.added.flatMap((s) => s.actions ?? [])).toContain(
      'ec2:CreateCapacityReservation',
    );
  });

  test('shows the EventBridge permission on the function, its source rule named by reference', () => {
    const permission = summary.iam.find((i) => i.type === 'aws_lambda_permission');
    expect(permission?.details).toEqual([
      expect.stringMatching(
        /^events\.amazonaws\.com may lambda:InvokeFunction on .+, source_arn aws_cloudwatch_event_rule\.\S+ \(known after apply\)$/,
      ),
    ]);
  });

  test('leaves out resource policies nobody configured (interface endpoints, topic defaults)', () => {
    expect(summary.iam.map((i) => i.type).sort()).toEqual([
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_kms_key',
      'aws_lambda_permission',
    ]);
  });

  test('shows the database ingress rule: MySQL from the reserver security group', () => {
    const rule = summary.securityGroups.find((g) => g.address.endsWith('.database-from-reserver'));
    expect(rule?.added).toEqual([
      expect.objectContaining({
        direction: 'ingress',
        ports: 'tcp/3306',
        peers: ['sg aws_security_group.reserver-sg.id (known after apply)'],
        open: false,
      }),
    ]);
  });

  test('flags no rule as open to the internet', () => {
    expect(summary.securityGroups.flatMap((g) => g.added).filter((r) => r.open)).toEqual([]);
  });

  test('renders within a GitHub comment', () => {
    expect(renderMarkdown([summary]).length).toBeLessThan(65_536);
  });
});
