import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRequest, type AwsRequest, type Reply } from '../aws/wire';
import type { FixUp, StandIn, StandInContext, StandInModule, StandInRecord } from './types';

/** Hop-by-hop headers and lengths: recomputed, since bodies are buffered. */
const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'expect']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(moto: URL, req: AwsRequest): Promise<Reply> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => !DROP.has(k.toLowerCase())),
  ) as Record<string, string | string[]>;
  const search = req.search.toString();
  return new Promise((resolve, reject) => {
    const out = request(
      {
        host: moto.hostname,
        port: moto.port,
        method: req.method,
        path: req.path + (search ? `?${search}` : ''),
        // The Host header stays the client's: moto builds URLs it returns (queue URLs) from it.
        headers: { ...headers, 'content-length': String(req.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const kept = Object.entries(res.headers).filter(([k]) => !DROP.has(k));
          resolve({
            status: res.statusCode ?? 502,
            headers: Object.fromEntries(kept.map(([k, v]) => [k, String(v)])),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    out.on('error', reject);
    out.end(req.body);
  });
}

const key = (service: string, operation: string) => `${service}:${operation}`;

/**
 * The proxy in front of moto: an operation a stand-in answers never reaches moto, a fix-up corrects moto's
 * answer, everything else passes through unchanged. Both kinds are recorded; tests read the records at
 * `GET /_stand-ins/records`, and drive the modules' hooks under `/_stand-ins/<module>/…`.
 */
export class StandInServer {
  readonly records: StandInRecord[] = [];
  private readonly standIns = new Map<string, StandIn>();
  private readonly fixUps = new Map<string, FixUp>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(
    motoEndpoint: string,
    modules: readonly StandInModule[],
    options: { port?: number; now?: () => Date } = {},
  ): Promise<StandInServer> {
    const ctx: StandInContext = { moto: motoEndpoint, now: options.now ?? (() => new Date()) };
    const routes = modules.flatMap((m) => m.routes ?? []);
    const moto = new URL(motoEndpoint);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const self = new StandInServer(server, `http://127.0.0.1:${port}`);
    for (const m of modules) {
      for (const s of m.standIns) self.standIns.set(key(s.service, s.operation), s);
      for (const f of m.fixUps) self.fixUps.set(key(f.service, f.operation), f);
    }
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const send = (reply: Reply) => {
        res.writeHead(reply.status, {
          ...reply.headers,
          'content-length': String(Buffer.byteLength(reply.body)),
        });
        res.end(reply.body);
      };
      readBody(req)
        .then(async (body) => {
          const url = req.url ?? '/';
          if (url.startsWith('/_stand-ins/')) {
            send(await self.control(modules, req.method ?? 'GET', url, body, ctx));
            return;
          }
          const parsed = parseRequest(req.method ?? 'GET', url, req.headers, body, routes);
          send(await self.dispatch(moto, parsed, ctx));
        })
        .catch((error: unknown) => {
          send({
            status: 500,
            headers: { 'content-type': 'text/plain' },
            body: `stand-in proxy: ${error instanceof Error ? error.stack : String(error)}`,
          });
        });
    });
    return self;
  }

  private record(kind: StandInRecord['kind'], req: AwsRequest, status: number): void {
    this.records.push({
      seq: this.records.length + 1,
      at: new Date().toISOString(),
      service: req.service,
      operation: req.operation,
      kind,
      params: req.params,
      status,
    });
  }

  private async dispatch(moto: URL, req: AwsRequest, ctx: StandInContext): Promise<Reply> {
    const standIn = this.standIns.get(key(req.service, req.operation));
    if (standIn) {
      const reply = await standIn.handle(req, ctx);
      this.record('stand-in', req, reply.status);
      return reply;
    }
    const fixUp = this.fixUps.get(key(req.service, req.operation));
    await fixUp?.observe?.(req, ctx);
    const reply = await forward(moto, req);
    if (!fixUp) return reply;
    const fixed = fixUp.fix ? await fixUp.fix(req, reply, ctx) : reply;
    this.record('fix-up', req, fixed.status);
    return fixed;
  }

  private async control(
    modules: readonly StandInModule[],
    method: string,
    url: string,
    body: Buffer,
    ctx: StandInContext,
  ): Promise<Reply> {
    const path = url.split('?')[0]!;
    const json = (status: number, value: unknown): Reply => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
    if (path === '/_stand-ins/records' && method === 'GET') return json(200, this.records);
    let input: unknown = {};
    if (body.length > 0) input = JSON.parse(body.toString('utf8')) as unknown;
    for (const m of modules) {
      const reply = await m.control?.(method, path, input, ctx);
      if (reply) return reply;
    }
    return json(404, { message: `no stand-in hook at ${method} ${path}` });
  }

  /** The stand-ins and fix-ups this server holds, for the gaps file's check. */
  operations(): Array<{ kind: 'stand-in' | 'fix-up'; service: string; operation: string }> {
    return [
      ...[...this.standIns.values()].map((s) => ({
        kind: 'stand-in' as const,
        service: s.service,
        operation: s.operation,
      })),
      ...[...this.fixUps.values()].map((f) => ({
        kind: 'fix-up' as const,
        service: f.service,
        operation: f.operation,
      })),
    ];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
