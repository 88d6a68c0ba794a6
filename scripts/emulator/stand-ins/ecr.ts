import { jsonError, jsonReply } from '../aws/wire';
import type { StandIn, StandInModule } from './types';

/** moto's account: the registry id every rule belongs to. */
const REGISTRY_ID = '123456789012';
/** https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html */
const PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Upstream registry URL -> the `upstreamRegistry` ECR reports for it (the rest are reported as given). */
const UPSTREAM: Readonly<Record<string, string>> = {
  'public.ecr.aws': 'ecr-public',
  'registry.k8s.io': 'k8s',
  'quay.io': 'quay',
  'registry-1.docker.io': 'docker-hub',
  'ghcr.io': 'github-container-registry',
};

type Rule = Record<string, unknown> & { ecrRepositoryPrefix: string };

const docs = (op: string) =>
  `https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_${op}.html`;
const notFound = (prefix: string) =>
  jsonError(
    400,
    'PullThroughCacheRuleNotFoundException',
    `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${REGISTRY_ID}'`,
  );
const reply = (body: unknown) => jsonReply(body, '1.1');

/**
 * ECR pull through cache rules, which moto 5.2 lacks (aws_ecr_pull_through_cache_rule, ecs-spot-api): kept
 * here, per registry, as the ECR API reference describes them. Errors: PullThroughCacheRuleAlreadyExists,
 * PullThroughCacheRuleNotFound and InvalidParameter (a prefix outside 2-30 characters or the pattern).
 */
export function ecrStandIns(): StandInModule {
  const rules = new Map<string, Rule>();
  const op = (operation: string, handle: StandIn['handle']): StandIn => ({
    service: 'ecr',
    operation,
    docs: docs(operation),
    handle,
  });
  const standIns: StandIn[] = [
    op('CreatePullThroughCacheRule', (req, ctx) => {
      const p = req.params;
      const prefix = String(p.ecrRepositoryPrefix ?? '');
      const url = String(p.upstreamRegistryUrl ?? '');
      if (prefix.length < 2 || prefix.length > 30 || !PREFIX.test(prefix) || !url) {
        const message = `Invalid parameter: ecrRepositoryPrefix '${prefix}', upstreamRegistryUrl '${url}'`;
        return Promise.resolve(jsonError(400, 'InvalidParameterException', message));
      }
      if (rules.has(prefix)) {
        const message = `The pull through cache rule with prefix '${prefix}' already exists in the registry with id '${REGISTRY_ID}'`;
        return Promise.resolve(
          jsonError(400, 'PullThroughCacheRuleAlreadyExistsException', message),
        );
      }
      const optional = ['credentialArn', 'customRoleArn', 'upstreamRepositoryPrefix'] as const;
      const rule: Rule = {
        ecrRepositoryPrefix: prefix,
        upstreamRegistryUrl: url,
        createdAt: ctx.now().getTime() / 1000,
        registryId: REGISTRY_ID,
        upstreamRegistry: UPSTREAM[url] ?? url,
        ...Object.fromEntries(optional.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])),
      };
      rules.set(prefix, rule);
      return Promise.resolve(reply(rule));
    }),
    op('DescribePullThroughCacheRules', (req) => {
      const asked = req.params.ecrRepositoryPrefixes as string[] | undefined;
      if (!asked || asked.length === 0)
        return Promise.resolve(reply({ pullThroughCacheRules: [...rules.values()] }));
      const missing = asked.find((prefix) => !rules.has(prefix));
      if (missing !== undefined) return Promise.resolve(notFound(missing));
      return Promise.resolve(
        reply({ pullThroughCacheRules: asked.map((prefix) => rules.get(prefix)) }),
      );
    }),
    op('DeletePullThroughCacheRule', (req) => {
      const prefix = String(req.params.ecrRepositoryPrefix ?? '');
      const rule = rules.get(prefix);
      if (!rule) return Promise.resolve(notFound(prefix));
      rules.delete(prefix);
      return Promise.resolve(reply(rule));
    }),
  ];
  return { standIns, fixUps: [] };
}
