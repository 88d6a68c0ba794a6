import {
  ListStateMachineVersionsCommand,
  SFNClient,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { AwsCallError, queryCall, restCall } from '../../../scripts/emulator/aws/call';
import type { Emulator } from '../../../scripts/emulator/emulator';
import { clientConfig, describeEmulator, emulatorForTests, records } from '../../support/emulator';

/** An empty zip archive: moto stores the code, it never unpacks it here. */
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]).toString('base64');
const ROLE = 'arn:aws:iam::123456789012:role/fn-role';

describeEmulator('stand-ins: Lambda recursion and logging config, Step Functions', () => {
  let emulator: Emulator;
  const lambda = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    restCall<T>(emulator.endpoint, 'lambda', method, path, body);
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (e: unknown) => (e instanceof AwsCallError ? `${e.status} ${e.code}` : String(e)),
    );

  beforeAll(async () => {
    emulator = await emulatorForTests();
    await queryCall(emulator.moto.endpoint, 'iam', '2010-05-08', 'CreateRole', {
      RoleName: 'fn-role',
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
    });
    await lambda('POST', '/2015-03-31/functions', {
      FunctionName: 'drain',
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN' },
    });
  }, 60_000);
  afterAll(() => emulator?.stop());

  test('recursion config of a missing function: ResourceNotFoundException (404), as on AWS', async () => {
    const path = '/2024-08-31/functions/nope/recursion-config';
    expect(await code(lambda('GET', path))).toBe('404 ResourceNotFoundException');
    expect(await code(lambda('PUT', path, { RecursiveLoop: 'Allow' }))).toBe(
      '404 ResourceNotFoundException',
    );
  });

  test('Terminate by default; Allow once put, by name or ARN; an unknown value refused', async () => {
    const byName = '/2024-08-31/functions/drain/recursion-config';
    const byArn = `/2024-08-31/functions/${encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:drain')}/recursion-config`;
    expect(await lambda('GET', byName)).toEqual({ RecursiveLoop: 'Terminate' });
    expect(await lambda('PUT', byArn, { RecursiveLoop: 'Allow' })).toEqual({
      RecursiveLoop: 'Allow',
    });
    expect(await lambda('GET', byName)).toEqual({ RecursiveLoop: 'Allow' });
    expect(await code(lambda('PUT', byName, { RecursiveLoop: 'Sometimes' }))).toBe(
      '400 InvalidParameterValueException',
    );
  });

  test('records what it was sent', async () => {
    const puts = (await records(emulator.endpoint)).filter(
      (r) => r.operation === 'PutFunctionRecursionConfig' && r.status === 200,
    );
    expect(puts).toEqual([
      expect.objectContaining({
        kind: 'stand-in',
        service: 'lambda',
        params: { RecursiveLoop: 'Allow' },
      }),
    ]);
  });

  test("GetFunction reports the LoggingConfig the function was created with, AWS's defaults filled in", async () => {
    const fn = await lambda<{ Configuration: { LoggingConfig: unknown } }>(
      'GET',
      '/2015-03-31/functions/drain',
    );
    expect(fn.Configuration.LoggingConfig).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'WARN',
      SystemLogLevel: 'INFO',
      LogGroup: '/aws/lambda/drain',
    });
  });

  test('a deleted function has no recursion config any more', async () => {
    await lambda('POST', '/2015-03-31/functions', {
      FunctionName: 'gone',
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
    });
    await lambda('DELETE', '/2015-03-31/functions/gone');
    expect(await code(lambda('GET', '/2024-08-31/functions/gone/recursion-config'))).toBe(
      '404 ResourceNotFoundException',
    );
  });

  test('ValidateStateMachineDefinition: OK for valid ASL, FAIL with a diagnostic otherwise', async () => {
    const sfn = new SFNClient(clientConfig(emulator.endpoint));
    const valid = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const invalid = JSON.stringify({ States: { Done: { Type: 'Succeed' } } });
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: valid }));
    const fail = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: invalid }));
    expect(ok).toMatchObject({ result: 'OK', diagnostics: [] });
    expect(fail).toMatchObject({
      result: 'FAIL',
      diagnostics: [expect.objectContaining({ severity: 'ERROR' })],
    });
  });

  test('ListStateMachineVersions of a machine moto does not hold: StateMachineDoesNotExist', async () => {
    const sfn = new SFNClient(clientConfig(emulator.endpoint));
    const missing = 'arn:aws:states:us-east-1:123456789012:stateMachine:nope';
    await expect(
      sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: missing })),
    ).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });

  test('an operation moto has passes through unchanged and unrecorded', async () => {
    const before = (await records(emulator.endpoint)).length;
    const role = await queryCall(emulator.endpoint, 'iam', '2010-05-08', 'GetRole', {
      RoleName: 'fn-role',
    });
    expect(JSON.stringify(role)).toContain(ROLE);
    expect((await records(emulator.endpoint)).length).toBe(before);
  });
});
