/** Strings as HCL quoted templates: the fix for the renderer's verbatim printing of `${` strings (#3911). */

export class HclRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HclRenderError';
  }
}

/** Index just past the `}` closing an interpolation or directive whose body starts at `start`. */
function endOfSequence(s: string, start: number): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '"') i = endOfQuoted(s, i + 1) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new HclRenderError(`unterminated template sequence in ${JSON.stringify(s)}`);
}

/** Index just past the `"` closing a quoted string (inside an expression) whose body starts at `start`. */
function endOfQuoted(s: string, start: number): number {
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if ((c === '$' || c === '%') && s[i + 1] === '{') i = endOfSequence(s, i + 2) - 1;
  }
  throw new HclRenderError(`unterminated string in expression ${JSON.stringify(s)}`);
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return c < ' ' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
  }
}

/**
 * The body of an HCL quoted template with the same meaning as `s` has in Terraform's JSON syntax:
 * literal characters escaped, `${...}` and `%{...}` sequences (and their `$${` / `%%{` escapes) kept.
 * With `literal`, `s` is a plain value (JSON-syntax variable defaults and descriptions are not templates):
 * `${` and `%{` are escaped too.
 */
export function escapeHclTemplate(s: string, literal = false): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const two = s.slice(i, i + 2);
    if (!literal && (s.startsWith('$${', i) || s.startsWith('%%{', i))) {
      out += s.slice(i, i + 3);
      i += 3;
    } else if (two === '${' || two === '%{') {
      if (literal) {
        out += `${two[0]}${two}`;
        i += 2;
      } else {
        const end = endOfSequence(s, i + 2);
        const sequence = s.slice(i, end);
        if (/[\r\n]/.test(sequence))
          throw new HclRenderError(
            `a line break inside ${sequence} cannot be rendered in a quoted HCL string`,
          );
        out += sequence;
        i = end;
      }
    } else {
      out += escapeChar(s[i] as string);
      i++;
    }
  }
  return out;
}

/** Strips a whole-string interpolation: `${aws_x.y}` -> `aws_x.y` (references are printed bare). */
export function bareReference(s: unknown): string {
  if (typeof s !== 'string') throw new HclRenderError(`expected a reference, got ${String(s)}`);
  const m = /^\$\{(.*)\}$/s.exec(s);
  return m ? (m[1] as string) : s;
}
