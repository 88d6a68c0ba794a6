import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { toXml, type XmlValue } from './xml';

/**
 * How an AWS request is framed on the wire: `query` (form body with Action, XML answers: EC2, Auto Scaling,
 * Redshift, RDS, …), `json` (X-Amz-Target, JSON body: ECS, Step Functions, …) or `rest` (method and path:
 * Lambda). https://smithy.io/2.0/aws/protocols/index.html
 */
export type Protocol = 'query' | 'json' | 'rest';

export interface AwsRequest {
  readonly method: string;
  /** Path without the query string, as sent (percent-encoded). */
  readonly path: string;
  readonly search: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Signing name from the SigV4 credential scope (`ec2`, `states`, `lambda`, …); '' when unsigned. */
  readonly service: string;
  readonly region: string;
  readonly protocol: Protocol;
  /** The operation: form `Action`, the X-Amz-Target suffix, or the REST route's name ('' when unknown). */
  readonly operation: string;
  /** Query: the form fields, nested (see `unflatten`); JSON and REST: the parsed JSON body. */
  readonly params: Record<string, unknown>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A REST operation of a service, recognized by method and path. */
export interface RestRoute {
  readonly service: string;
  readonly operation: string;
  readonly method: string;
  readonly path: RegExp;
}

const CREDENTIAL = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * `A.1.B.member.2.C=v` → `{ A: [{ B: [undefined, { C: 'v' }] }] }`, compacted: the query protocols number list
 * items from 1 and wrap awsQuery lists in `member`. https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
export function unflatten(fields: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of fields) {
    const parts = key.split('.').filter((p) => p !== 'member' && p !== 'item');
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const index = /^\d+$/.test(part) ? Number(part) - 1 : undefined;
      const slot = index ?? part;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(parts[i + 1]!);
      container[slot] ??= nextIsIndex ? [] : {};
      node = container[slot] as Record<string, unknown> | unknown[];
    });
  }
  const compact = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, compact(c)]));
    return v;
  };
  return compact(root) as Record<string, unknown>;
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads what an incoming request asks for; `routes` name the REST operations the stand-ins care about. */
export function parseRequest(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  routes: readonly RestRoute[],
): AwsRequest {
  const parsed = new URL(url, 'http://emulator.invalid');
  const scope = CREDENTIAL.exec(String(headers.authorization ?? ''));
  const region = scope?.[1] ?? '';
  const service = scope?.[2] ?? '';
  const base = { method, path: parsed.pathname, search: parsed.searchParams, headers, body };
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    const operation = target.slice(target.lastIndexOf('.') + 1);
    return { ...base, service, region, protocol: 'json', operation, params: parseJson(body) };
  }
  const type = String(headers['content-type'] ?? '');
  if (method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const fields = new URLSearchParams(body.toString('utf8'));
    const operation = fields.get('Action') ?? '';
    return { ...base, service, region, protocol: 'query', operation, params: unflatten(fields) };
  }
  const route = routes.find(
    (r) => r.service === service && r.method === method && r.path.test(parsed.pathname),
  );
  return {
    ...base,
    service,
    region,
    protocol: 'rest',
    operation: route?.operation ?? '',
    params: parseJson(body),
  };
}

/** The `(?<name>…)` groups of a REST route's path, percent-decoded. */
export function routeParams(route: RegExp, path: string): Record<string, string> {
  const groups = route.exec(path)?.groups ?? {};
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]));
}

const XML = { 'content-type': 'text/xml;charset=UTF-8' };

/**
 * An EC2 answer: `<{Op}Response xmlns=…><requestId/>…`.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html
 */
export function ec2Reply(operation: string, fields: Record<string, XmlValue>): Reply {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
    `<requestId>${randomUUID()}</requestId>${toXml(fields, 'item')}</${operation}Response>`;
  return { status: 200, headers: XML, body };
}

/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html#api-error-response */
export function ec2Error(status: number, code: string, message: string): Reply {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code>` +
    `${toXml({ Message: message }, 'item')}</Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
  return { status, headers: XML, body };
}

/** An awsQuery answer (Auto Scaling, Redshift, RDS): `<{Op}Response><{Op}Result>…</{Op}Result>…`. */
export function queryReply(
  namespace: string,
  operation: string,
  result: Record<string, XmlValue>,
): Reply {
  const body =
    `<${operation}Response xmlns="${namespace}"><${operation}Result>${toXml(result, 'member')}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`;
  return { status: 200, headers: XML, body };
}

/** https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#operation-error-serialization */
export function queryError(
  namespace: string,
  status: number,
  code: string,
  message: string,
): Reply {
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `${toXml({ Message: message }, 'member')}</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, headers: XML, body };
}

/** An awsJson 1.0/1.1 answer. */
export function jsonReply(body: unknown, version: '1.0' | '1.1' = '1.0'): Reply {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}` },
    body: JSON.stringify(body),
  };
}

/** https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#operation-error-serialization */
export function jsonError(status: number, type: string, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** A restJson answer (Lambda). */
export function restReply(status: number, body: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  };
}

/** https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization */
export function restError(status: number, type: string, message: string): Reply {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
    },
    body: JSON.stringify({ Type: 'User', Message: message, message }),
  };
}
