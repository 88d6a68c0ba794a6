import type { PolicyStatement } from '../../stacks/platform/iam';
import {
  encryptedTopicGrant,
  PLATFORM_GRANTS,
  platformGrant,
  type PlatformKind,
} from '../../stacks/platform/platform-grants';
import { WORLD } from '../support/deployment';
import type { TfJson } from '../support/synth';

/**
 * What AWS itself calls with each role, derived from the synthesized resources that use the role (functions,
 * their event source mappings and destinations, state machines, lifecycle hooks, task definitions), never from
 * the statements the stacks wrote: the expected platform statements, as deployed, by role logical id.
 */
export type PlatformNeeds = Map<string, PolicyStatement[]>;

type Resources = TfJson['resource'];
type Sub = (text: string) => string;

const deployedArn = (service: string, resource: string, account: string = WORLD.account) =>
  `arn:${WORLD.partition}:${service}:${WORLD.region}:${account}:${resource}`;

/**
 * `${aws_x.id.attr}`, or `${one(aws_x.id[*].attr)}` (a resource with a count), -> [type, id, attr];
 * anything else -> undefined.
 */
function reference(value: unknown): [string, string, string] | undefined {
  const m =
    typeof value === 'string'
      ? /^\$\{(?:one\()?(aws_\w+)\.([\w-]+)(?:\[\*\])?\.(\w+)\)?\}$/.exec(value)
      : null;
  return m ? [m[1] as string, m[2] as string, m[3] as string] : undefined;
}

/** Whether `value` references `attr` of the function `id`, plainly or through one() (a function with a count). */
function names(value: unknown, id: string, attr: string): boolean {
  const ref = reference(value);
  return ref?.[0] === 'aws_lambda_function' && ref[1] === id && ref[2] === attr;
}

/** The role logical id a role reference names (`${aws_iam_role.X.arn}`, or inside an expression). */
function roleOf(value: unknown): string | undefined {
  const m = typeof value === 'string' ? /aws_iam_role\.([\w-]+)(\[\*\])?\.arn/.exec(value) : null;
  return m?.[1];
}

function attr(resources: Resources, type: string, id: string, name: string): unknown {
  const r = resources[type]?.[id];
  if (!r) throw new Error(`synthesized stack has no ${type}.${id}`);
  return r[name];
}

function sid(kind: PlatformKind): string {
  return `Platform-${kind}`;
}

/** The KMS grant for publishing to (or sending to) a destination encrypted with one of the stack's keys. */
function kmsFor(resources: Resources, sub: Sub, keyRef: unknown): PolicyStatement[] {
  const key = reference(keyRef);
  if (!key) return [];
  const alias = Object.values(resources.aws_kms_alias ?? {}).find(
    (a) => a.target_key_id === `\${aws_kms_key.${key[1]}.key_id}`,
  );
  if (!alias) throw new Error(`KMS key ${key[1]} has no alias to condition on`);
  return [
    encryptedTopicGrant({
      sid: sid('kms-encrypted-topic'),
      keyArnPattern: deployedArn('kms', 'key/*'),
      region: WORLD.region,
      keyAlias: sub(String(alias.name)),
    }),
  ];
}

/** A topic or queue of this stack by its deployed ARN (destinations are written as ARNs built from inputs). */
function destinationByArn(
  resources: Resources,
  sub: Sub,
  arn: string,
): { kind: 'sqs' | 'sns'; kmsKey: unknown } {
  const service = arn.split(':')[2];
  const type = service === 'sqs' ? 'aws_sqs_queue' : 'aws_sns_topic';
  const found = Object.values(resources[type] ?? {}).find(
    (r) => deployedArn(service as string, sub(String(r.name))) === arn,
  );
  if (!found) throw new Error(`destination ${arn} is not a queue or topic of this stack`);
  return { kind: service === 'sqs' ? 'sqs' : 'sns', kmsKey: found.kms_master_key_id };
}

function destination(resources: Resources, sub: Sub, raw: unknown): PolicyStatement[] {
  const ref = reference(raw);
  const arn = ref
    ? deployedArn(
        ref[0] === 'aws_sqs_queue' ? 'sqs' : 'sns',
        sub(String(attr(resources, ref[0], ref[1], 'name'))),
      )
    : sub(String(raw));
  const target = destinationByArn(resources, sub, arn);
  const kind: PlatformKind =
    target.kind === 'sqs' ? 'failure-destination-sqs' : 'failure-destination-sns';
  return [
    platformGrant(kind, { sid: sid(kind), resources: [arn] }),
    ...kmsFor(resources, sub, target.kmsKey),
  ];
}

function functionNeeds(resources: Resources, sub: Sub, id: string, fn: Record<string, unknown>) {
  const needs: PolicyStatement[] = [];
  const logGroup = reference((fn.logging_config as { log_group?: string } | undefined)?.log_group);
  if (!logGroup) throw new Error(`function ${id} logs to no log group of its stack`);
  const groupName = sub(String(attr(resources, logGroup[0], logGroup[1], 'name')));
  needs.push(
    platformGrant('lambda-logs', {
      sid: sid('lambda-logs'),
      resources: [deployedArn('logs', `log-group:${groupName}:*`)],
    }),
  );
  if (fn.vpc_config !== undefined)
    needs.push(
      platformGrant('vpc-network-interfaces', {
        sid: sid('vpc-network-interfaces'),
        resources: ['*'],
      }),
    );
  // A function that publishes to an encrypted topic names it in its environment: SNS uses the topic's key
  // on the publisher's behalf.
  const env = (fn.environment as { variables?: Record<string, string> } | undefined)?.variables;
  for (const value of Object.values(env ?? {}).map(String))
    if (/^arn:.+:sns:/.test(value))
      needs.push(...kmsFor(resources, sub, destinationByArn(resources, sub, sub(value)).kmsKey));
  for (const config of Object.values(resources.aws_lambda_function_event_invoke_config ?? {})) {
    if (!names(config.function_name, id, 'function_name')) continue;
    const onFailure = (config.destination_config as { on_failure?: { destination?: string } })
      ?.on_failure?.destination;
    if (onFailure) needs.push(...destination(resources, sub, onFailure));
  }
  for (const mapping of Object.values(resources.aws_lambda_event_source_mapping ?? {})) {
    if (!names(mapping.function_name, id, 'arn')) continue;
    needs.push(...sourceNeeds(resources, sub, mapping));
  }
  return needs;
}

function sourceNeeds(resources: Resources, sub: Sub, mapping: Record<string, unknown>) {
  const source = reference(mapping.event_source_arn);
  if (!source)
    throw new Error(`event source ${String(mapping.event_source_arn)} is not of this stack`);
  const name = sub(String(attr(resources, source[0], source[1], 'name')));
  const needs: PolicyStatement[] = [];
  if (source[0] === 'aws_dynamodb_table') {
    needs.push(
      platformGrant('stream-polling', {
        sid: sid('stream-polling'),
        resources: [deployedArn('dynamodb', `table/${name}/stream/*`)],
      }),
      platformGrant('stream-listing', { sid: sid('stream-listing'), resources: ['*'] }),
    );
  } else if (source[0] === 'aws_sqs_queue') {
    needs.push(
      platformGrant('queue-polling', {
        sid: sid('queue-polling'),
        resources: [deployedArn('sqs', name)],
      }),
    );
    if (attr(resources, source[0], source[1], 'kms_master_key_id') !== undefined)
      throw new Error(
        `queue ${name} uses a customer managed key: add kms-encrypted-queue-receive here`,
      );
  } else throw new Error(`no platform grant known for event sources of type ${source[0]}`);
  const onFailure = (mapping.destination_config as { on_failure?: { destination_arn?: string } })
    ?.on_failure?.destination_arn;
  if (onFailure) needs.push(...destination(resources, sub, onFailure));
  return needs;
}

function stateMachineNeeds(resources: Resources, sub: Sub, machine: Record<string, unknown>) {
  const needs: PolicyStatement[] = [];
  if (machine.logging_configuration !== undefined)
    needs.push(
      platformGrant('state-machine-log-delivery', {
        sid: sid('state-machine-log-delivery'),
        resources: ['*'],
      }),
    );
  // A queue URL (the EBS run's failure queue) is only known after apply and is never a policy resource
  // (SendMessage is scoped by the queue ARN): it stays a reference, the topic ARNs are resolved.
  const definition = sub(
    String(machine.definition).replace(/\$\{(aws_sqs_queue\.[a-z0-9_]+\.url)\}/g, 'ref:$1'),
  );
  const topics = [...definition.matchAll(/"TopicArn":"([^"]+)"/g)].map((m) => m[1] as string);
  for (const topic of new Set(topics))
    needs.push(...kmsFor(resources, sub, destinationByArn(resources, sub, topic).kmsKey));
  return needs;
}

function hookNeeds(resources: Resources, sub: Sub, hook: Record<string, unknown>) {
  const topic = reference(hook.notification_target_arn);
  if (!topic || topic[0] !== 'aws_sns_topic')
    throw new Error(
      `lifecycle hook target ${String(hook.notification_target_arn)} is not a topic of its stack`,
    );
  const arn = deployedArn('sns', sub(String(attr(resources, topic[0], topic[1], 'name'))));
  return [
    platformGrant('lifecycle-notification', {
      sid: sid('lifecycle-notification'),
      resources: [arn],
    }),
    ...kmsFor(resources, sub, attr(resources, topic[0], topic[1], 'kms_master_key_id')),
  ];
}

function taskExecutionNeeds(sub: Sub, task: Record<string, unknown>) {
  const secret = /"credentialsParameter" = (var\.\w+)/.exec(
    String(task.container_definitions),
  )?.[1];
  return secret
    ? [
        platformGrant('registry-credentials', {
          sid: sid('registry-credentials'),
          resources: [sub(`\${${secret}}`)],
        }),
      ]
    : [];
}

/** Every role's platform needs, from the resources that use it. */
export function platformNeeds(json: TfJson, sub: Sub): PlatformNeeds {
  const resources = json.resource;
  const needs: PlatformNeeds = new Map();
  const add = (role: string | undefined, statements: PolicyStatement[]) => {
    if (!role) return;
    needs.set(role, [...(needs.get(role) ?? []), ...statements]);
  };
  for (const [id, fn] of Object.entries(resources.aws_lambda_function ?? {}))
    add(roleOf(fn.role), functionNeeds(resources, sub, id, fn));
  for (const machine of Object.values(resources.aws_sfn_state_machine ?? {}))
    add(roleOf(machine.role_arn), stateMachineNeeds(resources, sub, machine));
  for (const hook of Object.values(resources.aws_autoscaling_lifecycle_hook ?? {}))
    add(roleOf(hook.role_arn), hookNeeds(resources, sub, hook));
  for (const task of Object.values(resources.aws_ecs_task_definition ?? {}))
    add(roleOf(task.execution_role_arn), taskExecutionNeeds(sub, task));
  return needs;
}

/** A statement as compared: its kind, the set of its actions and resources, its conditions. */
export function grantKey(
  kind: string,
  statement: { Action?: unknown; Resource?: unknown; Condition?: unknown },
) {
  const list = (v: unknown) =>
    (Array.isArray(v) ? [...(v as string[])] : v === undefined ? [] : [String(v)]).sort();
  return JSON.stringify([
    kind,
    list(statement.Action),
    list(statement.Resource),
    statement.Condition ?? null,
  ]);
}

/** The key of an expected platform statement (as policyDocument would render it). */
export function expectedKey(statement: PolicyStatement): string {
  return grantKey(statement.platform ?? 'code', {
    Action: [...statement.actions],
    Resource: [...statement.resources],
    Condition: statement.conditions,
  });
}

/** Every kind cites the AWS documentation that says what the platform calls. */
export function undocumentedKinds(): string[] {
  return Object.entries(PLATFORM_GRANTS)
    .filter(([, grant]) => !/^https:\/\/docs\.aws\.amazon\.com\//.test(grant.reference))
    .map(([kind]) => kind);
}
