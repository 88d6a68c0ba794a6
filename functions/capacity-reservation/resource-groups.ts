import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
} from '@smithy/types';
import { OpsError } from '../shared/errors';
import type { FailedMember, ReservationGroup } from './group';

/** Resource Groups answered with an error (HTTP status and `x-amzn-ErrorType`). */
export class ResourceGroupsError extends OpsError {}

export interface ResourceGroupsOptions {
  readonly groupArn: string;
  readonly region: () => Promise<string>;
  readonly credentials: AwsCredentialIdentityProvider;
  /** The SHA-256 the SDK clients sign with (an SDK client's `config.sha256`). */
  readonly sha256: ChecksumConstructor | HashConstructor;
  /** `AWS_ENDPOINT_URL_RESOURCE_GROUPS`, the SDK's per-service endpoint variable; default the Region's endpoint. */
  readonly endpoint?: string;
  readonly fetch?: typeof fetch;
  /** Attempts for throttling (429) and server errors (5xx). @default 5 */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface WireFailed {
  readonly ResourceArn?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** https://docs.aws.amazon.com/general/latest/gr/arg.html (China Regions: amazonaws.com.cn) */
function regionalEndpoint(region: string): string {
  return `https://resource-groups.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * GroupResources and UngroupResources (REST-JSON `POST /group-resources`, `POST /ungroup-resources`, signed with
 * SigV4 as service `resource-groups` by the SDK's own signer), with the EC2 client's credentials, Region and hash. A hand-written client only
 * because @aws-sdk/client-resource-groups is not a dependency yet; both calls are idempotent, so throttling and
 * server errors are retried with backoff. https://docs.aws.amazon.com/ARG/latest/APIReference/API_GroupResources.html
 */
export function resourceGroupsClient(options: ResourceGroupsOptions): ReservationGroup {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 5;

  async function call(path: string, arns: readonly string[]): Promise<readonly FailedMember[]> {
    const region = await options.region();
    const url = new URL(path, options.endpoint ?? regionalEndpoint(region));
    const body = JSON.stringify({ Group: options.groupArn, ResourceArns: arns });
    const signer = new SignatureV4({
      service: 'resource-groups',
      region,
      credentials: options.credentials,
      sha256: options.sha256,
    });
    for (let attempt = 1; ; attempt++) {
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      const response = await send(url, { method: 'POST', headers: signed.headers, body });
      const text = await response.text();
      if (response.ok) {
        const out = JSON.parse(text || '{}') as { Failed?: WireFailed[] };
        return (out.Failed ?? []).map((f) => ({
          arn: f.ResourceArn ?? '',
          code: f.ErrorCode ?? 'Unknown',
          message: f.ErrorMessage ?? '',
        }));
      }
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= maxAttempts) {
        const type = (response.headers.get('x-amzn-errortype') ?? 'Unknown').split(':')[0];
        throw new ResourceGroupsError(
          `Resource Groups ${path} answered HTTP ${response.status} ${type ?? ''}: ${text.slice(0, 500)}`,
        );
      }
      await sleep(Math.random() * Math.min(20_000, 100 * 2 ** attempt));
    }
  }

  return {
    arn: options.groupArn,
    add: (arns) => call('/group-resources', arns),
    remove: (arns) => call('/ungroup-resources', arns),
  };
}
