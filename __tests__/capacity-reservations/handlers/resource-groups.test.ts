import { EC2Client } from '@aws-sdk/client-ec2';
import {
  ResourceGroupsError,
  resourceGroupsClient,
} from '../../../functions/capacity-reservation/resource-groups';
import { GROUP_ARN } from '../fixtures/resource-groups';

const RESERVATION = 'arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-0123456789abcdef0';

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A fetch that records requests and answers from a list of [status, body, headers]. */
function fakeFetch(answers: [number, unknown, Record<string, string>?][]) {
  const sent: Sent[] = [];
  const fn = (async (url: URL, init: RequestInit) => {
    sent.push({
      url: String(url),
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)),
    });
    const [status, body, headers = {}] = answers.shift() ?? [500, {}];
    return new Response(JSON.stringify(body), { status, headers });
  }) as unknown as typeof fetch;
  return { fn, sent };
}

const client = (fetch: typeof globalThis.fetch, region = 'us-east-1') =>
  resourceGroupsClient({
    groupArn: GROUP_ARN,
    region: () => Promise.resolve(region),
    credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    sha256: new EC2Client({ region }).config.sha256,
    fetch,
    sleep: () => Promise.resolve(),
  });

// https://docs.aws.amazon.com/ARG/latest/APIReference/API_GroupResources.html
describe('Resource Groups client (GroupResources / UngroupResources)', () => {
  it('posts the group and the ARNs to /group-resources, signed for resource-groups in the Region', async () => {
    // Prepare
    const { fn, sent } = fakeFetch([[200, { Succeeded: [RESERVATION], Failed: [], Pending: [] }]]);

    // Act
    const failed = await client(fn).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([]);
    expect(sent[0]?.url).toBe('https://resource-groups.us-east-1.amazonaws.com/group-resources');
    expect(sent[0]?.body).toEqual({ Group: GROUP_ARN, ResourceArns: [RESERVATION] });
    expect(sent[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/resource-groups\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('posts to /ungroup-resources, on the China endpoint in a China Region', async () => {
    // Prepare
    const { fn, sent } = fakeFetch([[200, { Succeeded: [RESERVATION] }]]);

    // Act
    await client(fn, 'cn-north-1').remove([RESERVATION]);

    // Assess
    expect(sent[0]?.url).toBe(
      'https://resource-groups.cn-north-1.amazonaws.com.cn/ungroup-resources',
    );
  });

  it('returns the resources it could not add, with their codes', async () => {
    // Prepare
    const { fn } = fakeFetch([
      [200, { Failed: [{ ResourceArn: RESERVATION, ErrorCode: 'X', ErrorMessage: 'no' }] }],
    ]);

    // Act
    const failed = await client(fn).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([{ arn: RESERVATION, code: 'X', message: 'no' }]);
  });

  it('retries throttling, then succeeds', async () => {
    // Prepare
    const { fn, sent } = fakeFetch([
      [429, { Message: 'Rate exceeded' }, { 'x-amzn-ErrorType': 'TooManyRequestsException' }],
      [200, { Succeeded: [RESERVATION] }],
    ]);

    // Act
    const failed = await client(fn).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([]);
    expect(sent).toHaveLength(2);
  });

  it('fails on a client error without retrying, naming the error type', async () => {
    // Prepare
    const { fn, sent } = fakeFetch([
      [404, { Message: 'not found' }, { 'x-amzn-ErrorType': 'NotFoundException:http://internal' }],
    ]);

    // Act
    const act = client(fn).add([RESERVATION]);

    // Assess
    await expect(act).rejects.toThrow(ResourceGroupsError);
    await expect(act).rejects.toThrow(/HTTP 404 NotFoundException/);
    expect(sent).toHaveLength(1);
  });
});
