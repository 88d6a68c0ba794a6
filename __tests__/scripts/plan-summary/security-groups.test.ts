import { summarizePlan } from '../../../scripts/plan-summary';
import { fixture, sgOf } from './support';

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
