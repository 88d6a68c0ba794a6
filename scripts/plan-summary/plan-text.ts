/** The summary of a plan log (remote runs, whose JSON plan is not available): counts, run link, errors. */

import { emptyCounts } from './plan-json';
import type { StackSummary } from './types';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Reads the log of `cdktf diff` / `terraform plan` (lines may carry cdktf's stack-name prefix): the
 * `Plan: ...` or `No changes.` line, the Terraform Cloud run link, and `Error:` diagnostics.
 */
export function summarizePlanText(stack: string, text: string): StackSummary {
  const clean = text.replace(ANSI, '');
  const counts = emptyCounts();
  const plan =
    /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?/.exec(
      clean,
    );
  const noChanges = /No changes\. (?:Your )?infrastructure matches the configuration/.test(clean);
  if (plan) {
    counts.import = Number(plan[1] ?? 0);
    counts.add = Number(plan[2]);
    counts.change = Number(plan[3]);
    counts.destroy = Number(plan[4]);
    counts.forget = Number(plan[5] ?? 0);
  }
  const runUrl = /https?:\/\/[^\s"'<>]+\/runs\/run-[A-Za-z0-9]+/.exec(clean)?.[0];
  const errors = clean
    .split('\n')
    .map((l) => l.replace(/^.*?(?=Error: )/, '').trim())
    .filter((l) => l.startsWith('Error: '));
  const error =
    errors.length > 0
      ? [...new Set(errors)].join('\n')
      : !plan && !noChanges
        ? 'no plan result found in the log'
        : undefined;
  return {
    stack,
    source: 'plan-text',
    counts,
    byType: [],
    changes: [],
    iam: [],
    securityGroups: [],
    ...(runUrl ? { runUrl } : {}),
    ...(error ? { error } : {}),
  };
}

/** The Terraform Cloud run id in a run link (`.../runs/run-abc123`). */
export function runIdOf(url: string): string | undefined {
  return /\/runs\/(run-[A-Za-z0-9]+)/.exec(url)?.[1];
}
