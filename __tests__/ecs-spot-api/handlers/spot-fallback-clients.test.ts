/**
 * UpdateService over a REAL ECSClient (the handler's own client set-up) and a fake HTTP handler, so the SDK's
 * retry middleware runs: throttling is retried with backoff, a lost reply is not sent again.
 */
import { DescribeServicesCommand, type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { createEcsClient } from '../../../functions/ecs-drain/clients';
import {
  neverRetryShiftBlindly,
  ShiftOutcomeUnknownError,
} from '../../../functions/ecs-drain/spot-fallback-clients';
import { WORLD } from '../../support/deployment';
import { FastRecordingRetryStrategy } from '../../support/fast-retry';
import { FALLBACK_NAMES, ON_DEMAND } from '../fixtures/fallback-world';

type Answer = { status: number; body: unknown; type?: string } | Error;

/** Answers ECS JSON requests from a queue; counts the requests per target. */
class FakeEcsHttp {
  readonly targets: string[] = [];
  constructor(private readonly answers: Answer[]) {}

  /** Lets a test pass this object as `requestHandler` (an HttpHandler). */
  readonly updateHttpClientConfig = (): void => undefined;
  readonly httpHandlerConfigs = (): object => ({});

  async handle(request: { headers: Record<string, string> }) {
    this.targets.push(String(request.headers['x-amz-target']).split('.').pop() ?? '');
    const next = this.answers.shift() ?? { status: 200, body: { service: {} } };
    if (next instanceof Error) throw next;
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (next.type) headers['x-amzn-errortype'] = next.type;
    return {
      response: { statusCode: next.status, headers, body: Buffer.from(JSON.stringify(next.body)) },
    };
  }
}

function client(http: FakeEcsHttp, retry: FastRecordingRetryStrategy): ECSClient {
  return neverRetryShiftBlindly(
    createEcsClient({
      region: WORLD.region,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: http,
      retryStrategy: retry,
    }),
  );
}
const update = () =>
  new UpdateServiceCommand({
    cluster: FALLBACK_NAMES.cluster,
    service: FALLBACK_NAMES.service,
    capacityProviderStrategy: ON_DEMAND,
    forceNewDeployment: true,
  });

test('a throttled UpdateService is retried with backoff', async () => {
  // Prepare
  const throttled = {
    status: 400,
    type: 'ThrottlingException',
    body: { message: 'Rate exceeded' },
  };
  const http = new FakeEcsHttp([throttled]);
  const retry = new FastRecordingRetryStrategy(4);

  // Act
  await client(http, retry).send(update());

  // Assess
  expect(http.targets).toEqual(['UpdateService', 'UpdateService']);
  expect(retry.decisions).toEqual([
    { code: 'ThrottlingException', errorType: 'THROTTLING', retried: true },
  ]);
});

test.each([
  ['no reply (timeout)', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ['a server error', { status: 500, type: 'ServerException', body: { message: 'internal' } }],
])('UpdateService with %s is not sent again: its outcome is unknown', async (_what, answer) => {
  // Prepare
  const http = new FakeEcsHttp([answer]);

  // Act
  const sent = client(http, new FastRecordingRetryStrategy(4)).send(update());

  // Assess
  await expect(sent).rejects.toBeInstanceOf(ShiftOutcomeUnknownError);
  expect(http.targets).toEqual(['UpdateService']);
});

test('a read that failed the same way is still retried', async () => {
  // Prepare
  const http = new FakeEcsHttp([{ status: 500, type: 'ServerException', body: { message: 'x' } }]);

  // Act
  await client(http, new FastRecordingRetryStrategy(4)).send(
    new DescribeServicesCommand({
      cluster: FALLBACK_NAMES.cluster,
      services: [FALLBACK_NAMES.service],
    }),
  );

  // Assess
  expect(http.targets).toEqual(['DescribeServices', 'DescribeServices']);
});
