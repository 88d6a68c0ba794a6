/**
 * Recycle Bin retention rules that would keep our deleted snapshots (billed at the standard rate for up to
 * a year while the deleted-snapshots metric looks healthy). Rule semantics:
 * https://docs.aws.amazon.com/ebs/latest/userguide/recycle-bin-working-with-rules.html — a tag-level rule
 * keeps resources carrying at least one of its tags; a Region-level rule keeps every resource of its type
 * except those carrying one of its exclusion tags
 * (https://docs.aws.amazon.com/recyclebin/latest/APIReference/API_CreateRule.html).
 */

export interface RuleTag {
  readonly key: string;
  /** Absent: any value of the key. */
  readonly value?: string;
}

export interface RecycleBinRule {
  readonly id: string;
  readonly retentionDays?: number;
  /** Tag-level rule: its tags; empty for a Region-level rule. */
  readonly resourceTags: readonly RuleTag[];
  /** Region-level rule: resources with one of these tags are not kept. */
  readonly excludeTags: readonly RuleTag[];
}

/** The EBS_SNAPSHOT retention rules of the Region (a port: Recycle Bin API in Lambda, a list in tests). */
export interface RecycleBinRules {
  list(): Promise<readonly RecycleBinRule[]>;
}

const carries = (tags: Readonly<Record<string, string>>, t: RuleTag): boolean =>
  t.key in tags && (t.value === undefined || t.value === '' || tags[t.key] === t.value);

/**
 * The rules that apply to at least one of our snapshots, judged by the tag sets of the snapshots we
 * hold (with none yet, by the tags every new snapshot gets).
 */
export function rulesApplying(
  rules: readonly RecycleBinRule[],
  snapshotTags: ReadonlyArray<Readonly<Record<string, string>>>,
): RecycleBinRule[] {
  return rules.filter((rule) =>
    snapshotTags.some((tags) =>
      rule.resourceTags.length > 0
        ? rule.resourceTags.some((t) => carries(tags, t))
        : !rule.excludeTags.some((t) => carries(tags, t)),
    ),
  );
}
