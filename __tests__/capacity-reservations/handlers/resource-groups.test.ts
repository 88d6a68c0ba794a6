import { ResourceGroupsClient } from '@aws-sdk/client-resource-groups';
import { resourceGroupsClient } from '../../../functions/capacity-reservation/resource-groups';
import { GROUP_ARN } from '../fixtures/resource-groups';

const RESERVATION = 'arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-0123456789abcdef0';

interface Sent {
  readonly host: string;
  readonly path: string;
  readonly authorization: string;
  readonly body: unknown;
}

/**
 * A Resource Groups endpoint as the client's request handler (REST-JSON): it records each request and answers
 * from a list of [status, body, error type], so the SDK's serializer, error parsing and retry all run.
 */
function fakeEndpoint(answers: Array<[number, unknown, string?]>) {
  const sent: Sent[] = [];
  const handle = (request: {
    hostname: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  }) => {
    sent.push({
      host: request.hostname,
      path: request.path,
      authorization: request.headers.authorization ?? '',
      body: JSON.parse(request.body ?? '{}'),
    });
    const [statusCode, body, errorType] = answers.shift() ?? [500, {}];
    return Promise.resolve({
      response: {
        statusCode,
        headers: {
          'content-type': 'application/json',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        },
        body: new TextEncoder().encode(JSON.stringify(body)),
      },
    });
  };
  return { sent, handler: { handle } };
}

const group = (handler: object, region = 'us-east-1') =>
  resourceGroupsClient(
    new ResourceGroupsClient({
      region,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: handler as never,
      maxAttempts: 3,
    }),
    GROUP_ARN,
  );

// https://docs.aws.amazon.com/ARG/latest/APIReference/API_GroupResources.html
describe('the capacity reservation group (GroupResources / UngroupResources)', () => {
  it('posts the group and the ARNs to /group-resources, signed for resource-groups in the Region', async () => {
    // Prepare
    const { handler, sent } = fakeEndpoint([
      [200, { Succeeded: [RESERVATION], Failed: [], Pending: [] }],
    ]);

    // Act
    const failed = await group(handler).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([]);
    expect(sent[0]).toMatchObject({
      host: 'resource-groups.us-east-1.amazonaws.com',
      path: '/group-resources',
      body: { Group: GROUP_ARN, ResourceArns: [RESERVATION] },
    });
    expect(sent[0]?.authorization).toMatch(/\/us-east-1\/resource-groups\/aws4_request/);
  });

  it('posts to /ungroup-resources, on the China endpoint in a China Region', async () => {
    // Prepare
    const { handler, sent } = fakeEndpoint([[200, { Succeeded: [RESERVATION] }]]);

    // Act
    await group(handler, 'cn-north-1').remove([RESERVATION]);

    // Assess
    expect(sent[0]).toMatchObject({
      host: 'resource-groups.cn-north-1.amazonaws.com.cn',
      path: '/ungroup-resources',
    });
  });

  it('returns the resources it could not add, with their codes', async () => {
    // Prepare
    const { handler } = fakeEndpoint([
      [200, { Failed: [{ ResourceArn: RESERVATION, ErrorCode: 'X', ErrorMessage: 'no' }] }],
    ]);

    // Act
    const failed = await group(handler).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([{ arn: RESERVATION, code: 'X', message: 'no' }]);
  });

  it('retries throttling, then succeeds', async () => {
    // Prepare
    const { handler, sent } = fakeEndpoint([
      [429, { Message: 'Rate exceeded' }, 'TooManyRequestsException'],
      [200, { Succeeded: [RESERVATION] }],
    ]);

    // Act
    const failed = await group(handler).add([RESERVATION]);

    // Assess
    expect(failed).toEqual([]);
    expect(sent).toHaveLength(2);
  });

  it('fails on a client error without retrying, naming the error', async () => {
    // Prepare
    const { handler, sent } = fakeEndpoint([
      [404, { Message: 'not found' }, 'NotFoundException:http://internal'],
    ]);

    // Act
    const act = group(handler).add([RESERVATION]);

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(sent).toHaveLength(1);
  });
});
