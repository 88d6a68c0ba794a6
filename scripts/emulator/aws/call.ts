import { parseXml, textOf, type XmlElement } from './xml';

/**
 * Fake credentials for everything that talks to the emulator. moto does not check signatures; it reads the
 * service from the SigV4 credential scope, and maps an unknown access key to its default account
 * (123456789012, the account in terraform.tfvars.example).
 */
export const EMULATOR_CREDENTIALS = {
  accessKeyId: 'AKIAEMULATOR00000000',
  secretAccessKey: 'emulator-secret-key-not-real',
} as const;

export const EMULATOR_REGION = 'us-east-1';

export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(`${code} (${status}): ${message}`);
    this.name = 'AwsCallError';
  }
}

function authorization(service: string, region: string): Record<string, string> {
  const date = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${date.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
    'x-amz-date': date,
  };
}

function flattenQuery(prefix: string, value: unknown, out: URLSearchParams): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flattenQuery(`${prefix}.${i + 1}`, v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenQuery(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.append(prefix, String(value));
  }
}

/**
 * One query-protocol call (EC2, Auto Scaling, Redshift, RDS, IAM, …); lists in `params` are numbered the EC2
 * way (`Name.1`); pass awsQuery lists with their `member` level spelled out. Resolves to the response root.
 */
export async function queryCall(
  endpoint: string,
  service: string,
  version: string,
  action: string,
  params: Record<string, unknown> = {},
  region = EMULATOR_REGION,
): Promise<XmlElement> {
  const form = new URLSearchParams({ Action: action, Version: version });
  flattenQuery('', params, form);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      ...authorization(service, region),
    },
    body: form.toString(),
  });
  const text = await res.text();
  if (!res.ok) {
    let code = 'Unknown';
    let message = text.slice(0, 500);
    try {
      const root = parseXml(text);
      code = textOf(root, 'Code') ?? code;
      message = textOf(root, 'Message') ?? message;
    } catch {
      // not XML (moto's 404 page): keep the raw text
    }
    throw new AwsCallError(code, res.status, `${service} ${action}: ${message}`);
  }
  return parseXml(text);
}

/** One awsJson call (ECS, Step Functions, DynamoDB, Logs, KMS, …), e.g. target `AmazonSQS.ListQueues`. */
export async function jsonCall<T = Record<string, unknown>>(
  endpoint: string,
  service: string,
  target: string,
  body: unknown = {},
  version: '1.0' | '1.1' = '1.1',
  region = EMULATOR_REGION,
): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': `application/x-amz-json-${version}`,
      'x-amz-target': target,
      ...authorization(service, region),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let code = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? 'Unknown';
    try {
      const parsed = JSON.parse(text) as { __type?: string };
      code = parsed.__type?.split('#').pop() ?? code;
    } catch {
      // not JSON: keep the header's code
    }
    throw new AwsCallError(code, res.status, `${target}: ${text.slice(0, 500)}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

/** One restJson call (Lambda); resolves to the parsed body, rejects with the `x-amzn-errortype` code. */
export async function restCall<T = Record<string, unknown>>(
  endpoint: string,
  service: string,
  method: string,
  path: string,
  body?: unknown,
  region = EMULATOR_REGION,
): Promise<T> {
  const res = await fetch(new URL(path, endpoint), {
    method,
    headers: { 'content-type': 'application/json', ...authorization(service, region) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    const code = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP${res.status}`;
    throw new AwsCallError(code, res.status, `${method} ${path}: ${text.slice(0, 500)}`);
  }
  return (text ? JSON.parse(text) : {}) as T;
}
