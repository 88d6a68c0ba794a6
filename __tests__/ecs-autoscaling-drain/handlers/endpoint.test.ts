import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../../functions/ecs-drain/clients';
import { DrainEnvSchema } from '../../../functions/ecs-drain/config';
import { readEnv } from '../../../functions/shared/env';
import { ConfigError } from '../../../functions/shared/errors';
import { DRAIN_ENV } from '../fixtures/env';
import { FAKE_CREDENTIALS, md5Of } from '../fixtures/fake-http';
import { recordIamCalls } from '../../support/iam-recorder';

// The SendMessage here goes to a fake HTTP handler, not to an account: nothing to record.
recordIamCalls('ecs-drain-drain', []);

const EMULATOR = 'http://127.0.0.1:4566';
const EMULATOR_QUEUE = 'http://127.0.0.1:5000/123456789012/checks';

/** Where each request went (host:port), answering SendMessage as SQS does (with the body's MD5). */
function recordingHandler(hosts: string[]) {
  return {
    handle: (request: { hostname: string; port?: number; body?: unknown }) => {
      hosts.push(`${request.hostname}:${request.port ?? 443}`);
      const input = JSON.parse(String(request.body)) as { MessageBody: string };
      const body = { MessageId: 'm-1', MD5OfMessageBody: md5Of(input.MessageBody) };
      return Promise.resolve({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: new TextEncoder().encode(JSON.stringify(body)),
        },
      });
    },
  };
}

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

async function sendWith(env: Record<string, string>, queueUrl: string): Promise<string[]> {
  delete process.env.AWS_ENDPOINT_URL;
  delete process.env.AWS_ENDPOINT_URL_SQS;
  Object.assign(process.env, env);
  const hosts: string[] = [];
  const sqs = createSqsClient({
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    requestHandler: recordingHandler(hosts),
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }));
  return hosts;
}

describe('SQS client endpoint', () => {
  it('sends to the configured endpoint, not the queue URL host, when AWS_ENDPOINT_URL is set', async () => {
    // Act
    const hosts = await sendWith({ AWS_ENDPOINT_URL: EMULATOR }, EMULATOR_QUEUE);

    // Assess
    expect(hosts).toEqual(['127.0.0.1:4566']);
  });

  it('sends to the queue URL host without an endpoint override (as deployed)', async () => {
    // Act
    const hosts = await sendWith({}, 'https://sqs.eu-west-1.amazonaws.com/123456789012/checks');

    // Assess
    expect(hosts).toEqual(['sqs.eu-west-1.amazonaws.com:443']);
  });
});

describe('CHECK_QUEUE_URL', () => {
  const read = (env: Record<string, string | undefined>) => () =>
    readEnv(DrainEnvSchema, { ...DRAIN_ENV, ...env });

  it('accepts an http loopback queue URL while an endpoint override is set', () => {
    // Act
    const config = read({ CHECK_QUEUE_URL: EMULATOR_QUEUE, AWS_ENDPOINT_URL_SQS: EMULATOR })();

    // Assess
    expect(config.checkQueueUrl).toBe(EMULATOR_QUEUE);
  });

  it.each([
    ['http on a loopback host without an endpoint override', { CHECK_QUEUE_URL: EMULATOR_QUEUE }],
    [
      'http on a loopback host with overrides ignored',
      {
        CHECK_QUEUE_URL: EMULATOR_QUEUE,
        AWS_ENDPOINT_URL: EMULATOR,
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      },
    ],
    [
      'http on another host even with an endpoint override',
      { CHECK_QUEUE_URL: 'http://sqs.us-east-1.amazonaws.com/1/q', AWS_ENDPOINT_URL: EMULATOR },
    ],
  ])('rejects %s', (_name, env) => {
    // Act
    const config = read(env);

    // Assess
    expect(config).toThrow(ConfigError);
    expect(config).toThrow(/CHECK_QUEUE_URL/);
  });
});
