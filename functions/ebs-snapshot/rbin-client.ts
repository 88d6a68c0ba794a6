/**
 * A minimal Recycle Bin client: ListRules and GetRule over the REST-JSON API, signed with SigV4
 * (https://docs.aws.amazon.com/recyclebin/latest/APIReference/API_ListRules.html,
 * https://docs.aws.amazon.com/recyclebin/latest/APIReference/API_GetRule.html). The npm registry here has
 * no @aws-sdk/client-rbin of this project's SDK line, and an older one re-hoists the whole SDK tree; these
 * two read-only calls need only the signer and HTTP handler the SDK already ships. It has the SDK's shape
 * (`send(command)`), so tests mock it and the IAM proof records its calls like any client's.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { OpsError } from '../shared/errors';
import type { RecycleBinRule, RecycleBinRules } from './recycle-bin';

interface ApiTag {
  readonly ResourceTagKey: string;
  readonly ResourceTagValue?: string;
}
interface ApiRule {
  readonly Identifier: string;
  readonly RetentionPeriod?: { RetentionPeriodValue?: number; RetentionPeriodUnit?: string };
  readonly ResourceTags?: ApiTag[];
  readonly ExcludeResourceTags?: ApiTag[];
}

export class ListRulesCommand {
  constructor(readonly input: { ResourceType: 'EBS_SNAPSHOT'; NextToken?: string }) {}
}
export class GetRuleCommand {
  constructor(readonly input: { Identifier: string }) {}
}

/** The Recycle Bin API refused or failed a call. */
export class RecycleBinApiError extends OpsError {}

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Buffer =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? Buffer.from(d)
      : Buffer.from(d.buffer, d.byteOffset, d.byteLength);

class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Buffer;
  constructor(secret?: Data) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

/** For tests: the HTTP handler and credentials. @default the SDK's Node handler and credential chain */
export interface RbinClientOptions {
  readonly http?: Pick<NodeHttpHandler, 'handle'>;
  readonly credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
}

export class RbinClient {
  private readonly signer: SignatureV4;
  private readonly http: Pick<NodeHttpHandler, 'handle'>;

  constructor(
    private readonly region: string,
    options: RbinClientOptions = {},
  ) {
    this.http = options.http ?? new NodeHttpHandler({ requestTimeout: 10_000 });
    this.signer = new SignatureV4({
      service: 'rbin',
      region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
  }

  send(command: ListRulesCommand): Promise<{ Rules?: ApiRule[]; NextToken?: string }>;
  send(command: GetRuleCommand): Promise<ApiRule>;
  async send(command: ListRulesCommand | GetRuleCommand): Promise<unknown> {
    const hostname = `rbin.${this.region}.amazonaws.com`;
    const list = command instanceof ListRulesCommand;
    const request = new HttpRequest({
      protocol: 'https:',
      hostname,
      method: list ? 'POST' : 'GET',
      path: list ? '/list-rules' : `/rules/${encodeURIComponent(command.input.Identifier)}`,
      headers: { host: hostname, 'content-type': 'application/json' },
      ...(list ? { body: JSON.stringify(command.input) } : {}),
    });
    const { response } = await this.http.handle((await this.signer.sign(request)) as HttpRequest);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    if (response.statusCode >= 300)
      throw new RecycleBinApiError(
        `Recycle Bin ${list ? 'ListRules' : 'GetRule'} answered ${response.statusCode}: ${body.slice(0, 300)}`,
      );
    return JSON.parse(body || '{}') as unknown;
  }
}

const tagsOf = (tags: ApiTag[] | undefined) =>
  (tags ?? []).map((t) => ({
    key: t.ResourceTagKey,
    ...(t.ResourceTagValue ? { value: t.ResourceTagValue } : {}),
  }));

/** The Region's EBS_SNAPSHOT rules, each read in full (ListRules' summaries carry no tags). */
export function recycleBinRulesOf(client: Pick<RbinClient, 'send'>): RecycleBinRules {
  return {
    async list(): Promise<RecycleBinRule[]> {
      const rules: RecycleBinRule[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new ListRulesCommand({
            ResourceType: 'EBS_SNAPSHOT',
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        for (const summary of page.Rules ?? []) {
          const rule = await client.send(new GetRuleCommand({ Identifier: summary.Identifier }));
          const period = rule.RetentionPeriod?.RetentionPeriodValue;
          rules.push({
            id: rule.Identifier,
            ...(period !== undefined ? { retentionDays: period } : {}),
            resourceTags: tagsOf(rule.ResourceTags),
            excludeTags: tagsOf(rule.ExcludeResourceTags),
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return rules;
    },
  };
}
