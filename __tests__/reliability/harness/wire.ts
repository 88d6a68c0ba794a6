/* eslint-disable @typescript-eslint/no-explicit-any -- the wire reaches into SDK internals (client config, middleware context) that have no public types */
import { Client } from '@smithy/core/client';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { AnswerBook } from './answers';
import { copy } from './answers';
import {
  connectionReset,
  errorResponse,
  serverError,
  throttlingError,
  timeoutError,
  worldError,
  type FaultKind,
  type FaultMode,
  type WireProtocol,
} from './faults';

/**
 * Every SDK client of the process sends through this wire while it is installed: the real SDK serializes,
 * signs, retries (standard mode, its own attempts, no backoff delay) and deserializes errors; the wire injects
 * faults per HTTP attempt and answers from the test world. Success replies are handed to the client without
 * an XML/JSON round trip (the worlds speak SDK shapes); errors go over the wire as the service would send them.
 */

/** One logical SDK call (all its attempts). */
export interface WireCall {
  readonly id: number;
  readonly client: string;
  readonly operation: string;
  /** `<Client>.<Operation>@<file>:<line>`: where in functions/ the call was made. */
  readonly site: string;
  /** 1-based number of this call among the calls of its site. */
  readonly siteIndex: number;
  readonly input: unknown;
  attempts: number;
  /** The world applied the request (at least once). */
  applied: boolean;
  faults: FaultKind[];
}

export interface FaultPlan {
  readonly site: string;
  readonly occurrence: number;
  readonly kind: FaultKind;
  readonly mode: FaultMode;
}

/** Answers a listing from a world that lags: drops what the filter says is not visible yet. */
export type ListingFilter = (operation: string, output: unknown) => unknown;

const CALL = Symbol.for('fault-harness.call');
const CALL_HEADER = 'x-fault-harness-call';
const OUTPUT_HEADER = 'x-fault-harness-output';

let active: Wire | undefined;
const originalSend = Client.prototype.send;
const adopted = new WeakMap<object, Wire>();

function siteOf(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n')) {
    const m = /\/(functions\/[^:()]+):(\d+)/.exec(line);
    if (m && !line.includes('node_modules')) return `${m[1]}:${m[2]}`;
  }
  return '?';
}

function protocolOf(protocol: { getShapeId?: () => string }): WireProtocol {
  const id = protocol.getShapeId?.() ?? '';
  const name = id.split('#')[1] as WireProtocol | undefined;
  if (!name || !['awsJson1_0', 'awsJson1_1', 'awsQuery', 'ec2Query', 'restJson1'].includes(name))
    throw new Error(`the wire speaks no protocol ${id}`);
  return name;
}

export class Wire {
  readonly calls: WireCall[] = [];
  plan: FaultPlan | undefined;
  /** The plan's fault was injected (at least once). */
  fired = false;
  /** Errors the worlds threw that are not service errors (bugs of a world, or of the harness). */
  readonly worldBugs: string[] = [];
  listingFilter: ListingFilter | undefined;
  /** Called before each HTTP attempt (e.g. to advance the fake clock). */
  onAttempt: () => void = () => undefined;
  /** Called before the first attempt of each call (e.g. to break the database at that point). */
  beforeCall: (call: WireCall) => Promise<void> | void = () => undefined;
  private readonly books = new Map<string, AnswerBook>();
  private readonly outputs = new Map<string, unknown>();
  private readonly siteCounts = new Map<string, number>();

  /** The world answers the commands of clients of this class (by class name, e.g. 'EC2Client'). */
  serve(client: { name: string }, book: AnswerBook): this {
    this.books.set(client.name, book);
    return this;
  }

  /** Routes every SDK client through this wire until uninstall(). */
  install(): this {
    if (active) throw new Error('a wire is already installed');
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the patched send finds the wire here
    active = this;
    const send = originalSend as (...args: unknown[]) => unknown;
    (Client.prototype as any).send = function (
      this: Client<any, any, any, any>,
      command: any,
      ...rest: any[]
    ) {
      const wire = active;
      if (!wire) return send.call(this, command, ...rest);
      wire.adopt(this);
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 60;
      const stack = new Error().stack;
      Error.stackTraceLimit = limit;
      const call = wire.begin(this.constructor.name, command, siteOf(stack));
      command.middlewareStack.add(
        (next: any, context: any) => (args: unknown) => {
          context[CALL] = call;
          return next(args);
        },
        { step: 'initialize', name: 'faultHarnessCall', override: true },
      );
      return send.call(this, command, ...rest);
    };
    return this;
  }

  uninstall(): void {
    if (active === this) active = undefined;
    Client.prototype.send = originalSend;
  }

  sitesSeen(): string[] {
    return [...this.siteCounts.keys()];
  }

  private adopt(client: Client<any, any, any, any>): void {
    if (adopted.get(client) === this) return;
    adopted.set(client, this);
    const config = client.config as any;
    const inner = config.__faultHarnessProtocol ?? config.protocol;
    config.__faultHarnessProtocol = inner;
    const protocol = protocolOf(inner);
    config.protocol = new Proxy(inner, {
      get: (target, key) => {
        if (key === 'serializeRequest')
          return async (op: unknown, input: unknown, context: any) => {
            const request = await target.serializeRequest(op, input, context);
            request.headers[CALL_HEADER] = String((context[CALL] as WireCall).id);
            return request;
          };
        if (key === 'deserializeResponse')
          return async (op: unknown, context: unknown, response: any) => {
            const id = response.headers?.[OUTPUT_HEADER] as string | undefined;
            if (id === undefined) return target.deserializeResponse(op, context, response);
            const output = this.outputs.get(id);
            this.outputs.delete(id);
            return { ...(output as object), $metadata: { httpStatusCode: 200, requestId: id } };
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // The client's own maxAttempts (AWS_MAX_ATTEMPTS for the handlers), standard mode, no backoff wait.
    let strategy: StandardRetryStrategy | undefined;
    config.retryStrategy = async () =>
      (strategy ??= new StandardRetryStrategy({
        maxAttempts: Number(await config.maxAttempts()),
        backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
      }));
    config.requestHandler = {
      handle: (request: any) => this.handle(protocol, request),
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      destroy: () => undefined,
    };
  }

  private begin(client: string, command: any, where: string): WireCall {
    const operation = String(command.constructor.name).replace(/Command$/, '');
    const site = `${client}.${operation}@${where}`;
    const siteIndex = (this.siteCounts.get(site) ?? 0) + 1;
    this.siteCounts.set(site, siteIndex);
    const call: WireCall = {
      id: this.calls.length,
      client,
      operation,
      site,
      siteIndex,
      input: copy(command.input),
      attempts: 0,
      applied: false,
      faults: [],
    };
    this.calls.push(call);
    return call;
  }

  private faultFor(call: WireCall): FaultKind | undefined {
    const plan = this.plan;
    if (!plan || plan.site !== call.site || plan.occurrence !== call.siteIndex) return undefined;
    if (plan.mode === 'first-attempt' && call.attempts !== 1) return undefined;
    this.fired = true;
    call.faults.push(plan.kind);
    return plan.kind;
  }

  private async handle(protocol: WireProtocol, request: any): Promise<{ response: object }> {
    this.onAttempt();
    const call = this.calls[Number(request.headers[CALL_HEADER])];
    if (!call) throw new Error('a request reached the wire without its call');
    call.attempts += 1;
    if (call.attempts === 1) await this.beforeCall(call);
    const fault = this.faultFor(call);
    if (fault === 'timeout') throw timeoutError();
    if (fault === 'throttle')
      return { response: errorResponse(protocol, throttlingError(call.client)) };
    if (fault === 'server-error')
      return { response: errorResponse(protocol, serverError(call.client)) };
    const book = this.books.get(call.client);
    if (!book) throw new Error(`no test world serves ${call.client}`);
    let outcome: { output: unknown } | { error: unknown };
    try {
      call.applied = true;
      const output = copy(await book.answer(call.operation, copy(call.input)));
      outcome = {
        output: this.listingFilter ? this.listingFilter(call.operation, output) : output,
      };
    } catch (error) {
      outcome = { error };
    }
    if (fault === 'lost-reply') throw connectionReset();
    if ('error' in outcome) {
      const wireError = worldError(outcome.error);
      if (!wireError) {
        this.worldBugs.push(`${call.site}: ${String(outcome.error)}`);
        return {
          response: errorResponse(protocol, {
            code: 'HarnessWorldBug',
            status: 400,
            message: String(outcome.error),
          }),
        };
      }
      return { response: errorResponse(protocol, wireError) };
    }
    const key = `fault-harness-${call.id}-${call.attempts}`;
    this.outputs.set(key, outcome.output);
    return {
      response: {
        statusCode: 200,
        headers: { [OUTPUT_HEADER]: key, 'x-amzn-requestid': key },
        body: new Uint8Array(),
      },
    };
  }
}
