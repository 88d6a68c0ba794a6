/**
 * Replaces `${var.x}` and the partition lookup in synthesized text with deployed values. Any other
 * reference is only known after apply, so it is an error: IAM policies must be readable in a plan.
 */
export function substituteTf(
  text: string,
  vars: Record<string, unknown>,
  defaults: Record<string, { default?: unknown }>,
  partition = 'aws',
): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    const v = /^var\.([a-z0-9_]+)$/.exec(expr);
    if (v?.[1]) {
      const value = v[1] in vars ? vars[v[1]] : defaults[v[1]]?.default;
      if (value === undefined) throw new Error(`no value for ${whole}`);
      return String(value);
    }
    if (/^data\.aws_partition\.[a-z0-9_]+\.partition$/.test(expr)) return partition;
    throw new Error(
      `${whole} is only known after apply: build ARNs and names from variables instead`,
    );
  });
}
