import { RESERVER_CODE_ACTIONS } from '../../stacks/capacity-reservations/calls';
import { substituteTf } from '../../scripts/tf-values';
import { managedBy, resourceName } from '../support/deployment';
import { only, synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';

const STACK = 'capacity-reservations';
const { json, stack } = synthStack(STACK);

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

function reserverPolicy(): { Statement: Statement[] } {
  return JSON.parse(only(json, 'aws_iam_role_policy').policy as string);
}

function statement(sid: string): Statement {
  const found = reserverPolicy().Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

describe('capacity-reservations: reserver policy', () => {
  test('grants exactly the calls of the handler, plus the platform statements', () => {
    expect(reserverPolicy().Statement.map((s) => s.Sid)).toEqual([
      'ReadOwnDatabaseSecret',
      'FindReservations',
      'ResolveZones',
      'ReadInstanceTypes',
      'CreateOnlyManagedReservations',
      'TagReservationsOnlyAtCreation',
      'ChangeOnlyManagedReservations',
      'GroupOwnReservations',
      'WriteOwnLogs',
      'VpcNetworkInterfaces',
      'OnFailureDestination',
    ]);
  });

  test('reads only the RDS-managed secret tagged with its own cluster ARN', () => {
    expect(statement('ReadOwnDatabaseSecret')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource:
        'arn:${data.aws_partition.partition.partition}:secretsmanager:${var.region}:${var.account_id}:secret:rds!cluster-*',
      Condition: {
        StringEquals: {
          'aws:ResourceTag/aws:rds:primaryDBClusterArn':
            'arn:${data.aws_partition.partition.partition}:rds:${var.region}:${var.account_id}:cluster:${var.name_prefix}-capacity-reservations',
        },
      },
    });
  });

  test('creates reservations only with its managed-by request tag, and tags only at creation', () => {
    expect(statement('CreateOnlyManagedReservations').Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/managed-by': '${var.name_prefix}/capacity-reservations',
        'ec2:InstanceMatchCriteria': ['open', 'targeted'],
      },
    });
    expect(statement('TagReservationsOnlyAtCreation').Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CreateCapacityReservation' },
    });
  });

  test('modifies and cancels only reservations carrying its managed-by tag', () => {
    expect(statement('ChangeOnlyManagedReservations')).toMatchObject({
      Action: ['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'],
      Resource:
        'arn:${data.aws_partition.partition.partition}:ec2:${var.region}:${var.account_id}:capacity-reservation/*',
      Condition: {
        StringEquals: { 'aws:ResourceTag/managed-by': '${var.name_prefix}/capacity-reservations' },
      },
    });
  });

  test("grants the code's calls exactly as RESERVER_CODE_ACTIONS lists them (the endpoints' source)", () => {
    const platform = new Set(['WriteOwnLogs', 'VpcNetworkInterfaces', 'OnFailureDestination']);
    const granted = reserverPolicy()
      .Statement.filter((s) => !platform.has(s.Sid))
      .flatMap((s) => s.Action);
    expect([...new Set(granted)].sort()).toEqual([...RESERVER_CODE_ACTIONS].sort());
  });

  test('the only "*" resources are the three Describe calls and the Lambda ENIs', () => {
    const wildcards = reserverPolicy()
      .Statement.filter((s) => s.Resource === '*')
      .map((s) => s.Sid);
    expect(wildcards).toEqual([
      'FindReservations',
      'ResolveZones',
      'ReadInstanceTypes',
      'VpcNetworkInterfaces',
    ]);
  });

  test('is built from variables only, so the plan shows it whole with the example values', () => {
    const policy = only(json, 'aws_iam_role_policy').policy as string;
    const deployed = substituteTf(policy, readTfvarsExample(), json.variable);
    expect(deployed).toContain(`"aws:RequestTag/managed-by":"${managedBy(STACK)}"`);
    expect(deployed).toContain(`cluster:${resourceName('capacity-reservations')}`);
  });

  test('is the IAM subject of the asset, so the IAM proof checks it', () => {
    expect(stack.iamSubjects.map((s) => s.name)).toEqual(['capacity-reservation-reserver']);
  });
});
