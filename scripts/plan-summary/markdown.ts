/** Markdown of the summaries, for a pull-request comment or a job summary. */

import type {
  Action,
  Counts,
  PolicyDiff,
  PolicyStatement,
  SecurityGroupRule,
  StackSummary,
} from './types';

export interface RenderOptions {
  /** Heading of the whole summary. */
  title?: string;
  /** A paragraph under the heading (e.g. what the plan was made against). */
  note?: string;
  /** Wraps each stack's details in a collapsed `<details>` block. */
  collapsed?: boolean;
  /** Upper bound of the rendered length (GitHub comments hold 65,536 characters). */
  maxLength?: number;
}

const SYMBOL: Record<Action, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  forget: 'forget',
  'no-op': '',
};

/** Inline code that survives backticks in the value. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** Plain text for Markdown: no HTML, no table breaks, no emphasis or links from the value. */
export function text(value: string): string {
  return value
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

function countsLine(c: Counts): string {
  const parts = [
    `${c.add} to add`,
    `${c.change} to change`,
    `${c.destroy} to destroy`,
    `${c.replace} to replace`,
  ];
  if (c.import) parts.unshift(`${c.import} to import`);
  if (c.forget) parts.push(`${c.forget} to forget`);
  return parts.join(', ');
}

function statementLine(s: PolicyStatement): string {
  const list = (xs: string[] | undefined) => (xs ?? []).map(code).join(', ');
  const parts: string[] = [s.effect === 'Deny' ? '**Deny**' : s.effect];
  if (s.principals) parts.push(`${list(s.principals)} to`);
  if (s.notPrincipals) parts.push(`all principals but ${list(s.notPrincipals)} to`);
  if (s.actions) parts.push(list(s.actions));
  if (s.notActions) parts.push(`all actions but ${list(s.notActions)}`);
  if (s.resources) parts.push(`on ${list(s.resources)}`);
  if (s.notResources) parts.push(`on all but ${list(s.notResources)}`);
  if (s.conditions) parts.push(`when ${list(s.conditions)}`);
  if (s.sid) parts.push(`(${text(s.sid)})`);
  return parts.join(' ');
}

function statements(n: number): string {
  return `${n} statement${n === 1 ? '' : 's'}`;
}

function policyLines(p: PolicyDiff, action: Action): string[] {
  const head = `${code(p.attribute)}`;
  if (p.state === 'sensitive') return [`  - ${head}: sensitive, not shown`];
  if (p.state === 'invalid') return [`  - ${head}: not a JSON policy document`];
  const out: string[] = [];
  if (p.state === 'unknown') {
    const refs = p.references ? ` from ${p.references.map(code).join(', ')}` : '';
    out.push(`  - ${head}: **known only after apply**${refs}; review it in the apply`);
  } else if (p.added.length === 0 && p.removed.length === 0) {
    out.push(`  - ${head}: unchanged (${statements(p.unchanged)})`);
  } else if (action === 'create' || (action === 'delete' && p.added.length === 0)) {
    out.push(`  - ${head}: ${statements(p.added.length + p.removed.length)}`);
  } else {
    const unchanged = p.unchanged > 0 ? `, ${p.unchanged} unchanged` : '';
    out.push(`  - ${head}: ${p.added.length} added, ${p.removed.length} removed${unchanged}`);
  }
  for (const s of p.added) out.push(`    - \`+\` ${statementLine(s)}`);
  for (const s of p.removed) out.push(`    - \`-\` ${statementLine(s)}`);
  return out;
}

function ruleLine(r: SecurityGroupRule): string {
  const dir = r.direction === 'ingress' ? 'ingress from' : 'egress to';
  const peers = r.peers.length > 0 ? r.peers.map(code).join(', ') : '(no peer)';
  const open = r.open ? ' **⚠ open to the internet**' : '';
  const description = r.description ? ` (${text(r.description)})` : '';
  return `${dir} ${peers} on ${code(r.ports)}${open}${description}`;
}

function actionTag(a: Action): string {
  return `${code(SYMBOL[a] || a)} ${a}`;
}

function stackHeading(s: StackSummary): string {
  const status = s.error ? '❌ plan failed' : countsLine(s.counts);
  return `### ${code(s.stack)}: ${status}`;
}

function stackBody(s: StackSummary, compact: boolean): string[] {
  const out: string[] = [];
  if (s.runUrl) out.push(`Run: ${s.runUrl}`, '');
  if (s.error) out.push('```text', s.error.split('\n').slice(0, 30).join('\n'), '```', '');
  if (s.source === 'plan-text') {
    if (!s.error) out.push(`${countsLine(s.counts)} (counts from the run log; no JSON plan)`, '');
    return out;
  }
  if (s.changes.length === 0 && !s.error) {
    out.push('No changes.', '');
    return out;
  }
  if (!compact && s.byType.length > 0) {
    out.push(
      '| resource type | add | change | destroy | replace |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const t of s.byType) {
      const n = (x: number) => (x === 0 ? '' : String(x));
      out.push(
        `| ${code(t.type)} | ${n(t.add)} | ${n(t.change)} | ${n(t.destroy)} | ${n(t.replace)} |`,
      );
    }
    out.push('');
  }
  if (s.iam.length > 0) {
    out.push(`**IAM changes (${s.iam.length})**`, '');
    for (const i of s.iam) {
      out.push(`- ${actionTag(i.action)} ${code(i.address)}`);
      for (const d of i.details) out.push(`  - ${text(d)}`);
      for (const p of i.policies) out.push(...policyLines(p, i.action));
    }
    out.push('');
  }
  if (s.securityGroups.length > 0) {
    out.push(`**Security group changes (${s.securityGroups.length})**`, '');
    for (const g of s.securityGroups) {
      const group = g.group ? ` in ${code(g.group)}` : '';
      out.push(`- ${actionTag(g.action)} ${code(g.address)}${group}`);
      for (const d of g.details) out.push(`  - ${text(d)}`);
      for (const r of g.added) out.push(`  - \`+\` ${ruleLine(r)}`);
      for (const r of g.removed) out.push(`  - \`-\` ${ruleLine(r)}`);
    }
    out.push('');
  }
  if (!compact) {
    out.push(`<details><summary>All ${s.changes.length} changes</summary>`, '');
    for (const c of s.changes) {
      const extra: string[] = [];
      if (c.imported && c.action !== 'no-op') extra.push('imported');
      if (c.replacePaths?.length) extra.push(`forced by ${c.replacePaths.map(code).join(', ')}`);
      if (c.changedAttributes?.length) extra.push(c.changedAttributes.map(code).join(', '));
      if (c.reason) extra.push(code(c.reason));
      const tag =
        c.action === 'no-op' && c.imported ? `${code('import')} import only` : actionTag(c.action);
      out.push(`- ${tag} ${code(c.address)}${extra.length ? `: ${extra.join('; ')}` : ''}`);
    }
    out.push('', '</details>', '');
  } else if (compact) {
    const risky = s.changes.filter((c) => c.action === 'delete' || c.action === 'replace');
    if (risky.length > 0) {
      out.push('**Destroyed or replaced**', '');
      for (const c of risky) out.push(`- ${actionTag(c.action)} ${code(c.address)}`);
      out.push('');
    }
  }
  return out;
}

function renderWith(
  summaries: readonly StackSummary[],
  options: RenderOptions,
  compact: boolean,
): string {
  const out: string[] = [];
  if (options.title) out.push(`## ${text(options.title)}`, '');
  if (options.note) out.push(options.note, '');
  if (summaries.length === 0) {
    out.push('No stacks were planned.', '');
    return out.join('\n');
  }
  out.push(
    '| stack | add | change | destroy | replace | IAM | security groups |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of summaries) {
    const c = s.counts;
    const detail = (n: number) => (s.source === 'plan-text' ? '?' : String(n));
    const row = s.error
      ? `| ${code(s.stack)} | ❌ | | | | | |`
      : `| ${code(s.stack)} | ${c.add} | ${c.change} | ${c.destroy} | ${s.source === 'plan-text' ? '?' : c.replace} | ${detail(s.iam.length)} | ${detail(s.securityGroups.length)} |`;
    out.push(row);
  }
  out.push('');
  for (const s of summaries) {
    const body = stackBody(s, compact);
    if (options.collapsed) {
      const status = s.error ? 'plan failed' : countsLine(s.counts);
      out.push(
        `<details><summary><code>${s.stack}</code>: ${status}</summary>`,
        '',
        ...body,
        '</details>',
        '',
      );
    } else {
      out.push(stackHeading(s), '', ...body);
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/**
 * Markdown for a pull-request comment or a job summary. When the full rendering exceeds maxLength, the
 * per-resource lists are dropped (destroyed and replaced resources stay listed); if that is still too long,
 * the text is cut at a line and says so.
 */
export function renderMarkdown(
  summaries: readonly StackSummary[],
  options: RenderOptions = {},
): string {
  const max = options.maxLength ?? Infinity;
  const full = renderWith(summaries, options, false);
  if (full.length <= max) return full;
  const compact = renderWith(summaries, options, true);
  if (compact.length <= max) return compact;
  const note = '\n\n_Summary cut to fit; the whole summary is in the workflow run._\n';
  const cut = compact.slice(0, Math.max(0, max - note.length - 32));
  const lines = cut.slice(0, cut.lastIndexOf('\n')).split('\n');
  const open = lines.filter((l) => l.startsWith('<details>')).length;
  const closed = lines.filter((l) => l.startsWith('</details>')).length;
  const fences = lines.filter((l) => l.startsWith('```')).length;
  return (
    [
      ...lines,
      ...(fences % 2 === 1 ? ['```'] : []),
      ...Array.from({ length: Math.max(0, open - closed) }, () => '</details>'),
    ].join('\n') + note
  );
}
