import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One definition the AWS provider sent for validation while planning. */
export interface SfnValidationRequest {
  readonly definition: string;
  readonly type: string | undefined;
}

/**
 * A local stand-in for the one Step Functions call the AWS provider makes at plan time: aws_sfn_state_machine
 * validates a known definition with ValidateStateMachineDefinition (provider >= 5.3x) while computing the
 * diff. The offline proof has no network, so the provider's `sfn` endpoint points here. The stub records what
 * it is sent and answers OK for any definition that parses as JSON (FAIL otherwise); the ASL itself is checked
 * by asl-validator in the tests that run the synthesized definition. Any other Step Functions call is refused,
 * so a plan that needs more than validation fails loudly.
 */
export class SfnValidationStub {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly requests: SfnValidationRequest[],
  ) {}

  static async start(): Promise<SfnValidationStub> {
    const requests: SfnValidationRequest[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(body));
        };
        if (target !== 'AWSStepFunctions.ValidateStateMachineDefinition') {
          reply(400, {
            __type: 'UnknownOperationException',
            message: `the offline proof's Step Functions stub only validates definitions, not ${target || req.url}`,
          });
          return;
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
          definition?: string;
          type?: string;
        };
        const definition = input.definition ?? '';
        requests.push({ definition, type: input.type });
        try {
          JSON.parse(definition);
          reply(200, { result: 'OK', diagnostics: [], truncated: false });
        } catch (error) {
          reply(200, {
            result: 'FAIL',
            diagnostics: [
              { severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: String(error) },
            ],
            truncated: false,
          });
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    return new SfnValidationStub(server, `http://127.0.0.1:${port}`, requests);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
