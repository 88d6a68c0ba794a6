/**
 * Replaces the one `"<placeholder>"` in a policy document with `${<expression>}`, an expression that yields a
 * JSON list (a Terraform list variable cannot be spliced through JSON.stringify: it would become a string).
 */
export function spliceResources(policy: string, placeholder: string, expression: string): string {
  const quoted = JSON.stringify(placeholder);
  const parts = policy.split(quoted);
  if (parts.length !== 2)
    throw new Error(`policy must hold "${placeholder}" exactly once, found ${parts.length - 1}`);
  return parts.join(`\${${expression}}`);
}
