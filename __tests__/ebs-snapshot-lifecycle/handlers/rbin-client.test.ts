import { Readable } from 'node:stream';
import {
  GetRuleCommand,
  ListRulesCommand,
  RbinClient,
  recycleBinRulesOf,
} from '../../../functions/ebs-snapshot/rbin-client';
import { FAKE_CREDENTIALS } from '../fixtures/fake-ec2-http';

interface Sent {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fake Recycle Bin endpoint answering ListRules (one page) and GetRule with the documented JSON. */
function fakeRbin(status = 200) {
  const sent: Sent[] = [];
  const handle = async (request: Sent) => {
    sent.push(request);
    const body =
      request.path === '/list-rules'
        ? {
            Rules: [
              { Identifier: 'rule-1', RuleArn: 'arn:aws:rbin:us-east-1:123456789012:rule/rule-1' },
            ],
          }
        : {
            Identifier: 'rule-1',
            ResourceType: 'EBS_SNAPSHOT',
            RetentionPeriod: { RetentionPeriodValue: 30, RetentionPeriodUnit: 'DAYS' },
            ResourceTags: [],
            ExcludeResourceTags: [{ ResourceTagKey: 'rbin-exclude', ResourceTagValue: 'true' }],
          };
    return {
      response: {
        statusCode: status,
        headers: {},
        body: Readable.from([
          Buffer.from(JSON.stringify(status === 200 ? body : { message: 'denied' })),
        ]),
      },
    };
  };
  return { sent, http: { handle } as never };
}

test('ListRules and GetRule are signed SigV4 requests for the rbin service, read into rules', async () => {
  // Prepare
  const fake = fakeRbin();
  const client = new RbinClient('us-east-1', { http: fake.http, credentials: FAKE_CREDENTIALS });

  // Act
  const rules = await recycleBinRulesOf(client).list();

  // Assess
  expect(rules).toEqual([
    {
      id: 'rule-1',
      retentionDays: 30,
      resourceTags: [],
      excludeTags: [{ key: 'rbin-exclude', value: 'true' }],
    },
  ]);
  expect(fake.sent.map((r) => [r.method, r.hostname, r.path])).toEqual([
    ['POST', 'rbin.us-east-1.amazonaws.com', '/list-rules'],
    ['GET', 'rbin.us-east-1.amazonaws.com', '/rules/rule-1'],
  ]);
  expect(JSON.parse(fake.sent[0]?.body ?? '{}')).toEqual({ ResourceType: 'EBS_SNAPSHOT' });
  expect(fake.sent[0]?.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/rbin\/aws4_request/,
  );
});

test('an error answer is a RecycleBinApiError naming the call and status', async () => {
  // Prepare
  const client = new RbinClient('us-east-1', {
    http: fakeRbin(403).http,
    credentials: FAKE_CREDENTIALS,
  });

  // Act
  const call = client.send(new ListRulesCommand({ ResourceType: 'EBS_SNAPSHOT' }));

  // Assess
  await expect(call).rejects.toMatchObject({
    name: 'RecycleBinApiError',
    message: expect.stringContaining('ListRules answered 403') as unknown,
  });
  await expect(client.send(new GetRuleCommand({ Identifier: 'x' }))).rejects.toThrow(/GetRule/);
});
