import { Token } from 'cdktf';

/**
 * A number as text for Terraform expressions and messages: a variable's `${var.x}` or the literal digits
 * (Token.asString would wrap a literal in a token too).
 */
export function numText(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}
