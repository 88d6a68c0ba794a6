import { FailureQueue } from '../../stacks/platform/failure-queue';
import { NodeFunction, type NodeFunctionProps } from '../../stacks/platform/node-function';
import { only, resources, synthJson, testStack } from '../support/synth';

const base: NodeFunctionProps = {
  asset: 'demo-handler',
  name: 'demo',
  description: 'demo',
  statements: [
    { actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:q'] },
  ],
};

function synthFunction(props: Partial<NodeFunctionProps> = {}) {
  const { stack, code } = testStack();
  const fn = new NodeFunction(stack, 'fn', { ...base, ...props });
  return { fn, json: synthJson(stack), code };
}

describe('NodeFunction', () => {
  test('runs Node.js 22 on arm64 with JSON logs', () => {
    const { json } = synthFunction();
    const lambda = only(json, 'aws_lambda_function');
    expect(lambda).toMatchObject({
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      logging_config: { log_format: 'JSON' },
    });
  });

  test('ships the zip as a FILE asset with the base64 SHA-256 of its bytes as source_code_hash', () => {
    const { json, code } = synthFunction();
    const lambda = only(json, 'aws_lambda_function');
    expect(code.requested).toEqual(['demo-handler']);
    expect(lambda.filename).toMatch(/^assets\/fn_code_[A-Z0-9]+\/[A-F0-9]+\/demo-handler\.zip$/);
    expect(lambda.source_code_hash).toBe(Buffer.from('sha-of-demo-handler').toString('base64'));
  });

  test('grants exactly the given statements plus writing its own log group', () => {
    const { json } = synthFunction();
    const policy = JSON.parse(only(json, 'aws_iam_role_policy').policy as string) as {
      Statement: Array<{ Action: unknown; Sid?: string }>;
    };
    expect(policy.Statement.map((s) => s.Action)).toEqual([
      'sqs:SendMessage',
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
  });

  test('creates its log group with the stack retention variable', () => {
    const { json } = synthFunction();
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({
      name: '/aws/lambda/${var.name_prefix}-demo',
      retention_in_days: '${var.log_retention_days}',
    });
  });

  test('applies timeout, memory, reserved concurrency and environment', () => {
    const { json } = synthFunction({
      timeoutSeconds: 30,
      memoryMb: 1024,
      reservedConcurrency: 1,
      environment: { A: 'b' },
    });
    const lambda = only(json, 'aws_lambda_function');
    expect(lambda).toMatchObject({
      timeout: 30,
      memory_size: 1024,
      reserved_concurrent_executions: 1,
    });
    expect((lambda.environment as { variables: Record<string, string> }).variables).toMatchObject({
      A: 'b',
      POWERTOOLS_SERVICE_NAME: 'demo-handler',
    });
  });

  test('sends failed async invocations to the on-failure destination, once it exists, and may send there', () => {
    const { stack, code } = testStack();
    const dlq = new FailureQueue(stack, 'dlq', { name: 'dlq' });
    new NodeFunction(stack, 'fn', {
      ...base,
      onFailure: dlq.destination,
    });
    const json = synthJson(stack);
    expect(code.requested).toEqual(['demo-handler']);
    expect(only(json, 'aws_lambda_function_event_invoke_config')).toMatchObject({
      destination_config: {
        on_failure: {
          destination:
            'arn:${data.aws_partition.partition.partition}:sqs:${var.region}:${var.account_id}:${var.name_prefix}-dlq',
        },
      },
      depends_on: ['aws_sqs_queue.dlq'],
    });
    expect(only(json, 'aws_iam_role_policy').policy).toContain(
      '"Sid":"OnFailureDestination","Effect":"Allow","Action":"sqs:SendMessage"',
    );
  });

  test('has no async config without an on-failure destination', () => {
    const { json } = synthFunction();
    expect(resources(json, 'aws_lambda_function_event_invoke_config')).toEqual({});
  });

  test.each([
    [{ timeoutSeconds: 0 }, /timeoutSeconds must be a whole number from 1 to 900, got 0/],
    [{ timeoutSeconds: 901 }, /got 901/],
    [{ memoryMb: 64 }, /memoryMb must be a whole number from 128 to 10240, got 64/],
    [{ reservedConcurrency: -1 }, /reservedConcurrency must be a whole number >= 0, got -1/],
    [{ asset: 'Bad Name' }, /asset "Bad Name" must be the bundle name/],
    [{ statements: [] }, /needs at least one policy statement/],
  ])('rejects %j with a message showing the bad value', (props, message) => {
    const { stack } = testStack();
    expect(() => new NodeFunction(stack, 'fn', { ...base, ...props })).toThrow(message);
  });
});
