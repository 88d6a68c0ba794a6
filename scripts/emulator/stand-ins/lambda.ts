import { AwsCallError, restCall } from '../aws/call';
import { restError, restReply, routeParams, type AwsRequest, type Reply } from '../aws/wire';
import type { StandInContext, StandInModule } from './types';

const FN = '(?<name>[^/]+)';
const ROUTES = {
  CreateFunction: { method: 'POST', path: /^\/2015-03-31\/functions\/?$/ },
  GetFunction: { method: 'GET', path: new RegExp(`^/2015-03-31/functions/${FN}/?$`) },
  GetFunctionConfiguration: {
    method: 'GET',
    path: new RegExp(`^/2015-03-31/functions/${FN}/configuration/?$`),
  },
  UpdateFunctionConfiguration: {
    method: 'PUT',
    path: new RegExp(`^/2015-03-31/functions/${FN}/configuration/?$`),
  },
  DeleteFunction: { method: 'DELETE', path: new RegExp(`^/2015-03-31/functions/${FN}/?$`) },
  PutFunctionRecursionConfig: {
    method: 'PUT',
    path: new RegExp(`^/2024-08-31/functions/${FN}/recursion-config/?$`),
  },
  GetFunctionRecursionConfig: {
    method: 'GET',
    path: new RegExp(`^/2024-08-31/functions/${FN}/recursion-config/?$`),
  },
} as const;
type Op = keyof typeof ROUTES;

/** A function name, a function ARN or a partial ARN (`123456789012:function:name`), qualifier dropped. */
export function functionName(nameOrArn: string): string {
  const marker = ':function:';
  const at = nameOrArn.indexOf(marker);
  return at < 0 ? nameOrArn : nameOrArn.slice(at + marker.length).split(':')[0]!;
}

function nameIn(req: AwsRequest, op: Op): string {
  return functionName(routeParams(ROUTES[op].path, req.path).name ?? '');
}

type LoggingConfig = Record<string, string>;

/**
 * LoggingConfig as Lambda reports it: the format defaults to Text and the log group to /aws/lambda/<name>;
 * with JSON the levels default to INFO. https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
 */
export function effectiveLoggingConfig(name: string, sent: LoggingConfig = {}): LoggingConfig {
  const config: LoggingConfig = { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}`, ...sent };
  if (config.LogFormat === 'JSON') {
    config.ApplicationLogLevel ??= 'INFO';
    config.SystemLogLevel ??= 'INFO';
  }
  return config;
}

async function functionExists(ctx: StandInContext, name: string): Promise<boolean> {
  try {
    await restCall(ctx.moto, 'lambda', 'GET', `/2015-03-31/functions/${encodeURIComponent(name)}`);
    return true;
  } catch (error) {
    if (error instanceof AwsCallError && error.status === 404) return false;
    throw error;
  }
}

const notFound = (name: string) =>
  restError(404, 'ResourceNotFoundException', `Function not found: ${name}`);

/** Rewrites a JSON answer of moto, when it is a success. */
function rewrite(reply: Reply, edit: (body: Record<string, unknown>) => void): Reply {
  if (reply.status < 200 || reply.status > 299 || !reply.body) return reply;
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  edit(body);
  return { ...reply, body: JSON.stringify(body) };
}

/**
 * Lambda: recursive loop detection (moto 5.2 has no recursion-config routes and answers 404 HTML), and the
 * function's LoggingConfig (moto accepts it and drops it, so every re-plan would show logging_config).
 */
export function lambdaStandIns(): StandInModule {
  const recursion = new Map<string, string>();
  const logging = new Map<string, LoggingConfig>();
  const withLogging = (name: string) => (config: Record<string, unknown>) => {
    config.LoggingConfig = logging.get(name) ?? effectiveLoggingConfig(name);
  };
  const docs = (op: string) => `https://docs.aws.amazon.com/lambda/latest/api/API_${op}.html`;
  return {
    routes: Object.entries(ROUTES).map(([operation, r]) => ({
      service: 'lambda',
      operation,
      ...r,
    })),
    standIns: [
      {
        service: 'lambda',
        operation: 'PutFunctionRecursionConfig',
        docs: docs('PutFunctionRecursionConfig'),
        async handle(req, ctx) {
          const name = nameIn(req, 'PutFunctionRecursionConfig');
          const loop = req.params.RecursiveLoop;
          if (loop !== 'Allow' && loop !== 'Terminate') {
            return restError(
              400,
              'InvalidParameterValueException',
              `RecursiveLoop must be Allow or Terminate, not ${JSON.stringify(loop)}`,
            );
          }
          if (!(await functionExists(ctx, name))) return notFound(name);
          recursion.set(name, loop);
          return restReply(200, { RecursiveLoop: loop });
        },
      },
      {
        service: 'lambda',
        operation: 'GetFunctionRecursionConfig',
        docs: docs('GetFunctionRecursionConfig'),
        async handle(req, ctx) {
          const name = nameIn(req, 'GetFunctionRecursionConfig');
          if (!(await functionExists(ctx, name))) return notFound(name);
          // Terminate is the default: https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html
          return restReply(200, { RecursiveLoop: recursion.get(name) ?? 'Terminate' });
        },
      },
    ],
    fixUps: [
      {
        service: 'lambda',
        operation: 'CreateFunction',
        docs: docs('CreateFunction'),
        observe(req) {
          const name = functionName(String(req.params.FunctionName ?? ''));
          const sent = req.params.LoggingConfig as LoggingConfig | undefined;
          logging.set(name, effectiveLoggingConfig(name, sent));
        },
        fix: (req, reply) =>
          rewrite(reply, withLogging(functionName(String(req.params.FunctionName ?? '')))),
      },
      {
        service: 'lambda',
        operation: 'UpdateFunctionConfiguration',
        docs: docs('UpdateFunctionConfiguration'),
        observe(req) {
          const name = nameIn(req, 'UpdateFunctionConfiguration');
          const sent = req.params.LoggingConfig as LoggingConfig | undefined;
          if (sent)
            logging.set(name, effectiveLoggingConfig(name, { ...logging.get(name), ...sent }));
        },
        fix: (req, reply) =>
          rewrite(reply, withLogging(nameIn(req, 'UpdateFunctionConfiguration'))),
      },
      {
        service: 'lambda',
        operation: 'GetFunction',
        docs: docs('GetFunction'),
        fix: (req, reply) =>
          rewrite(reply, (body) => {
            const config = body.Configuration as Record<string, unknown> | undefined;
            if (config) withLogging(nameIn(req, 'GetFunction'))(config);
          }),
      },
      {
        service: 'lambda',
        operation: 'GetFunctionConfiguration',
        docs: docs('GetFunctionConfiguration'),
        fix: (req, reply) => rewrite(reply, withLogging(nameIn(req, 'GetFunctionConfiguration'))),
      },
      {
        service: 'lambda',
        operation: 'DeleteFunction',
        docs: docs('DeleteFunction'),
        fix(req, reply) {
          if (reply.status < 300) {
            const name = nameIn(req, 'DeleteFunction');
            recursion.delete(name);
            logging.delete(name);
          }
          return reply;
        },
      },
    ],
  };
}
