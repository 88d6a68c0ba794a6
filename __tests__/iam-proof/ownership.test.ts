import { WORLD } from '../support/deployment';
import type { ProofSubject } from './engine';
import { proofProblems, type LabeledRequest } from './proof';
import { ownershipViolations } from './violations';

// The rules the mutation run relies on, each shown on a policy written here: it can fail.
const TABLE = `arn:aws:dynamodb:${WORLD.region}:${WORLD.account}:table/ops-claims`;
const read: LabeledRequest = {
  action: 'dynamodb:GetItem',
  resource: TABLE,
  call: 'DynamoDBClient.GetItem',
};

function subjectOf(...statements: object[]): ProofSubject {
  return {
    stack: 'ebs-snapshot-lifecycle',
    name: 'written-here',
    roleId: 'role',
    policy: { Version: '2012-10-17', Statement: statements },
    statements: statements.map(() => ({ actions: ['dynamodb:GetItem'], resources: [TABLE] })),
    platformNeeds: [],
  };
}

describe('ownership violations of a request', () => {
  test('name the same call in another account, another region and on a sibling table', () => {
    // Act
    const why = ownershipViolations(read).map((v) => v.why);

    // Assess
    expect(why).toEqual([
      'the same call in another region',
      'the same call in another account',
      'a sibling of ops-claims',
    ]);
  });

  test('change and remove each guard key the request carries', () => {
    // Prepare
    const tagged = { ...read, context: { 'aws:ResourceTag/managed-by': 'ops' } };

    // Act
    const why = ownershipViolations(tagged).map((v) => v.why);

    // Assess
    expect(why).toContain('aws:ResourceTag/managed-by absent');
    expect(why).toContain('aws:ResourceTag/managed-by = violating-value');
  });
});

describe('the proof of a policy written here', () => {
  test('passes when the statement names exactly the table the code reads', async () => {
    // Act
    const problems = await proofProblems(
      subjectOf({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }),
      [read],
    );

    // Assess
    expect(problems).toEqual([]);
  });

  test('fails when the table is widened to every table', async () => {
    // Act
    const problems = await proofProblems(
      subjectOf({
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: 'arn:aws:dynamodb:*:*:table/*',
      }),
      [read],
    );

    // Assess
    expect(problems.join('\n')).toMatch(/another region|another account|a sibling of ops-claims/);
  });

  test('fails when the statement names a resource no recorded request needs', async () => {
    // Prepare
    const spare = `${TABLE}-spare`;

    // Act
    const problems = await proofProblems(
      subjectOf({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: [TABLE, spare] }),
      [read],
    );

    // Assess
    expect(problems).toContain(`dynamodb:GetItem: no recorded request needs ${spare}`);
  });
});
