import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsStub } from 'aws-sdk-client-mock';

/** One SDK command a handler sent during a test, kept for the IAM proof (phase 2 of `npm test`). */
export interface RecordedCall {
  readonly functionName: string;
  /** Client class name, e.g. "EC2Client": command names alone clash (ECS and Redshift DescribeClusters). */
  readonly client: string;
  readonly command: string;
  readonly input: unknown;
  /** Tags the resource acted upon carries, where the test's world defines them (e.g. for DeleteSnapshot). */
  readonly resourceTags?: Record<string, string>;
  /** The Region of the client that sent the call, when the client was made for one (a cross-Region copy). */
  readonly region?: string;
  /** The KMS key that encrypts the resource acted upon, where the test's world defines one (a copy's source). */
  readonly resourceKmsKeyId?: string;
}

/** The Region a mocked client was configured with, if any (`config.region` is an async provider). */
async function regionOf(client: unknown): Promise<string | undefined> {
  const provider = (client as { config?: { region?: unknown } } | undefined)?.config?.region;
  if (typeof provider !== 'function') return undefined;
  try {
    const region: unknown = await (provider as () => Promise<unknown>)();
    return typeof region === 'string' ? region : undefined;
  } catch {
    return undefined;
  }
}

export const IAM_CALLS_DIR = join(__dirname, '..', '..', '.cache', 'iam-calls');

/**
 * Records every command the given client mocks saw, after each test, under the function's name.
 * `resourceTags` lets a test state the tags of the resources in its world, keyed by command name, and
 * `resourceKmsKeyId` the KMS key that encrypts them.
 */
export function recordIamCalls(
  functionName: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  mocks: ReadonlyArray<AwsStub<any, any, any>>,
  resourceTags: (command: string, input: unknown) => Record<string, string> | undefined = () =>
    undefined,
  resourceKmsKeyId: (command: string, input: unknown) => string | undefined = () => undefined,
): void {
  afterEach(async () => {
    mkdirSync(IAM_CALLS_DIR, { recursive: true });
    const lines: string[] = [];
    for (const mock of mocks) {
      for (const call of mock.calls()) {
        const command = call.args[0] as { constructor: { name: string }; input: unknown };
        const name = command.constructor.name.replace(/Command$/, '');
        const tags = resourceTags(name, command.input);
        const region = await regionOf(call.thisValue);
        const key = resourceKmsKeyId(name, command.input);
        const record: RecordedCall = {
          functionName,
          client: mock.clientName(),
          command: name,
          input: command.input,
          ...(tags ? { resourceTags: tags } : {}),
          ...(region ? { region } : {}),
          ...(key ? { resourceKmsKeyId: key } : {}),
        };
        lines.push(JSON.stringify(record));
      }
    }
    if (lines.length > 0)
      appendFileSync(
        join(IAM_CALLS_DIR, `${functionName}.${process.pid}.jsonl`),
        lines.join('\n') + '\n',
      );
  });
}
