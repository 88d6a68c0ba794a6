import { randomUUID } from 'node:crypto';
import { AwsCallError, queryCall } from '../aws/call';
import { queryError, queryReply, type AwsRequest, type Reply } from '../aws/wire';
import { findAll, parseXml, serializeXml, textOf } from '../aws/xml';
import type { FixUp, StandIn, StandInContext, StandInModule } from './types';

const NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const VERSION = '2011-01-01';

/** One instance waiting in a lifecycle hook's wait state (Terminating:Wait or Pending:Wait). */
export interface LifecycleAction {
  readonly token: string;
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  readonly instanceId: string;
  state: 'waiting' | 'completed';
  result?: string;
  heartbeats: number;
}

/** What PutLifecycleHook sets that moto replaces with placeholders (a fixed SQS queue and IAM role). */
const HOOK_FIELDS = ['NotificationTargetARN', 'RoleARN', 'NotificationMetadata'] as const;

/**
 * DescribeLifecycleHooks as AWS answers it: the notification target, role and metadata the hook was put
 * with, none when it was put without them.
 */
export function fixLifecycleHooks(
  body: string,
  hooks: ReadonlyMap<string, Record<string, string>>,
): string {
  const root = parseXml(body);
  for (const hook of findAll(root, 'LifecycleHooks').flatMap((set) => set.children)) {
    const put =
      hooks.get(`${textOf(hook, 'AutoScalingGroupName')}/${textOf(hook, 'LifecycleHookName')}`) ??
      {};
    const others = hook.children.filter(
      (c) => !(HOOK_FIELDS as readonly string[]).includes(c.name),
    );
    const fields = HOOK_FIELDS.filter((f) => put[f] !== undefined).map((f) => ({
      name: f,
      attributes: '',
      children: [],
      text: put[f]!,
    }));
    hook.children.splice(0, hook.children.length, ...others, ...fields);
  }
  return serializeXml(root);
}

/**
 * DescribePolicies as AWS answers it: `Enabled` as put (true unless PutScalingPolicy said false), and a
 * PredictiveScalingConfiguration only for predictive policies (moto adds an empty one to every policy).
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_ScalingPolicy.html
 */
export function fixScalingPolicies(body: string, enabled: ReadonlyMap<string, boolean>): string {
  const root = parseXml(body);
  for (const policy of findAll(root, 'ScalingPolicies').flatMap((set) => set.children)) {
    const key = `${textOf(policy, 'AutoScalingGroupName')}/${textOf(policy, 'PolicyName')}`;
    const kept = policy.children.filter(
      (c) =>
        c.name !== 'Enabled' &&
        (c.name !== 'PredictiveScalingConfiguration' ||
          textOf(policy, 'PolicyType') === 'PredictiveScaling'),
    );
    const flag = {
      name: 'Enabled',
      attributes: '',
      children: [],
      text: String(enabled.get(key) ?? true),
    };
    policy.children.splice(0, policy.children.length, ...kept, flag);
  }
  return serializeXml(root);
}

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

async function hookExists(ctx: StandInContext, group: string, hook: string): Promise<boolean> {
  try {
    const root = await queryCall(ctx.moto, 'autoscaling', VERSION, 'DescribeLifecycleHooks', {
      AutoScalingGroupName: group,
      'LifecycleHookNames.member': [hook],
    });
    return findAll(root, 'LifecycleHookName').some((e) => e.text.trim() === hook);
  } catch (error) {
    if (error instanceof AwsCallError && error.status === 400) return false;
    throw error;
  }
}

/**
 * Auto Scaling: lifecycle hooks (moto ignores a hook's NotificationTargetARN, RoleARN and NotificationMetadata
 * and describes placeholders instead), scaling policies (fixScalingPolicies) and lifecycle actions, which
 * moto 5.2 does not implement. Only a hook's wait state creates an
 * action; moto never enters one, so a test starts it: `POST /_stand-ins/autoscaling/lifecycle-actions
 * {AutoScalingGroupName, LifecycleHookName, EC2InstanceId}` answers the LifecycleActionToken (the hook must
 * exist in moto), `GET` lists the actions with their state, result and heartbeat count. Completing or
 * heartbeating an action that is not waiting fails as AWS does ("No active Lifecycle Action found").
 */
export function autoScalingStandIns(): StandInModule {
  const actions = new Map<string, LifecycleAction>();
  /** The action a request names: by token, else by group + hook + instance id (both are documented). */
  const findAction = (req: AwsRequest): LifecycleAction | undefined => {
    const p = req.params as Record<string, string | undefined>;
    if (p.LifecycleActionToken) {
      const action = actions.get(p.LifecycleActionToken);
      return action && action.autoScalingGroupName === p.AutoScalingGroupName ? action : undefined;
    }
    return [...actions.values()].find(
      (a) =>
        a.state === 'waiting' &&
        a.instanceId === p.InstanceId &&
        a.autoScalingGroupName === p.AutoScalingGroupName &&
        a.lifecycleHookName === p.LifecycleHookName,
    );
  };
  const noActive = (req: AwsRequest) => {
    const p = req.params as Record<string, string | undefined>;
    const by = p.LifecycleActionToken
      ? `token ${p.LifecycleActionToken}`
      : `instance ID ${p.InstanceId ?? ''}`;
    return queryError(NS, 400, 'ValidationError', `No active Lifecycle Action found with ${by}`);
  };
  const complete: StandIn = {
    service: 'autoscaling',
    operation: 'CompleteLifecycleAction',
    docs: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CompleteLifecycleAction.html',
    handle(req) {
      const result = String(req.params.LifecycleActionResult ?? '');
      if (result !== 'CONTINUE' && result !== 'ABANDON') {
        return Promise.resolve(
          queryError(
            NS,
            400,
            'ValidationError',
            `LifecycleActionResult must be CONTINUE or ABANDON, not ${result}`,
          ),
        );
      }
      const action = findAction(req);
      if (!action || action.state !== 'waiting') return Promise.resolve(noActive(req));
      action.state = 'completed';
      action.result = result;
      return Promise.resolve(queryReply(NS, 'CompleteLifecycleAction', {}));
    },
  };
  const heartbeat: StandIn = {
    service: 'autoscaling',
    operation: 'RecordLifecycleActionHeartbeat',
    docs: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RecordLifecycleActionHeartbeat.html',
    handle(req) {
      const action = findAction(req);
      if (!action || action.state !== 'waiting') return Promise.resolve(noActive(req));
      action.heartbeats += 1;
      return Promise.resolve(queryReply(NS, 'RecordLifecycleActionHeartbeat', {}));
    },
  };
  const hooks = new Map<string, Record<string, string>>();
  const hookKey = (req: AwsRequest) =>
    `${String(req.params.AutoScalingGroupName)}/${String(req.params.LifecycleHookName)}`;
  const hookDocs = (op: string) =>
    `https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_${op}.html`;
  const fixUps: FixUp[] = [
    {
      service: 'autoscaling',
      operation: 'PutLifecycleHook',
      docs: hookDocs('PutLifecycleHook'),
      observe(req) {
        const p = req.params as Record<string, string | undefined>;
        const fields = Object.fromEntries(
          HOOK_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]!]),
        );
        hooks.set(hookKey(req), { ...hooks.get(hookKey(req)), ...fields });
      },
    },
    {
      service: 'autoscaling',
      operation: 'DescribeLifecycleHooks',
      docs: hookDocs('DescribeLifecycleHooks'),
      fix: (_req, reply) =>
        reply.status === 200 ? { ...reply, body: fixLifecycleHooks(reply.body, hooks) } : reply,
    },
    {
      service: 'autoscaling',
      operation: 'DeleteLifecycleHook',
      docs: hookDocs('DeleteLifecycleHook'),
      fix(req, reply) {
        if (reply.status === 200) hooks.delete(hookKey(req));
        return reply;
      },
    },
  ];
  const policies = new Map<string, boolean>();
  fixUps.push(
    {
      service: 'autoscaling',
      operation: 'PutScalingPolicy',
      docs: hookDocs('PutScalingPolicy'),
      observe(req) {
        const key = `${String(req.params.AutoScalingGroupName)}/${String(req.params.PolicyName)}`;
        policies.set(key, req.params.Enabled !== 'false');
      },
    },
    {
      service: 'autoscaling',
      operation: 'DescribePolicies',
      docs: hookDocs('DescribePolicies'),
      fix: (_req, reply) =>
        reply.status === 200 ? { ...reply, body: fixScalingPolicies(reply.body, policies) } : reply,
    },
  );
  return {
    standIns: [complete, heartbeat],
    fixUps,
    async control(method, path, body, ctx) {
      if (path !== '/_stand-ins/autoscaling/lifecycle-actions') return undefined;
      if (method === 'GET') return json(200, [...actions.values()]);
      if (method !== 'POST') return undefined;
      const input = (body ?? {}) as Record<string, string | undefined>;
      const group = input.AutoScalingGroupName ?? '';
      const hook = input.LifecycleHookName ?? '';
      if (!(await hookExists(ctx, group, hook))) {
        return json(404, { message: `no lifecycle hook ${hook} on group ${group}` });
      }
      const action: LifecycleAction = {
        token: randomUUID(),
        autoScalingGroupName: group,
        lifecycleHookName: hook,
        instanceId: input.EC2InstanceId ?? '',
        state: 'waiting',
        heartbeats: 0,
      };
      actions.set(action.token, action);
      return json(200, { LifecycleActionToken: action.token });
    },
  };
}
