/**
 * Replaces `${var.x}` and the partition lookup in synthesized text with deployed values. Any other
 * reference is only known after apply, so it is an error: IAM policies must be readable in a plan.
 *
 * Besides plain references, a small, closed subset of Terraform expressions over variables is evaluated,
 * so a policy may splice a list variable in (e.g. `${jsonencode(length(var.a) > 0 ? var.a : ["arn:..."])}`):
 * string, number, bool and list literals (strings may hold nested `${...}`), `var.x`, the partition, `( )`,
 * `!`, `&&`, `||`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `c ? a : b`, the arithmetic operators `+`, `*` and `/`
 * over numbers, and the functions `jsonencode`, `length`, `ceil` and `max` (so a definition may hold a number
 * computed from variables, e.g. `${max(1, ceil(var.timeout / 30))}`), `concat` of lists and `formatlist` with
 * `%s` verbs only (so a policy may name one ARN per listed Region).
 * Anything else is refused rather than guessed.
 */
export function substituteTf(
  text: string,
  vars: Record<string, unknown>,
  defaults: Record<string, { default?: unknown }>,
  partition = 'aws',
): string {
  const scope: Scope = { vars, defaults, partition };
  let out = '';
  let i = 0;
  for (;;) {
    const start = text.indexOf('${', i);
    const end = start < 0 ? -1 : interpolationEnd(text, start + 2);
    if (start < 0 || end < 0) return out + text.slice(i);
    const whole = text.slice(start, end + 1);
    out += text.slice(i, start) + interpolate(whole, text.slice(start + 2, end), scope);
    i = end + 1;
  }
}

type TfValue = string | number | boolean | null | TfValue[];

interface Scope {
  readonly vars: Record<string, unknown>;
  readonly defaults: Record<string, { default?: unknown }>;
  readonly partition: string;
}

const PARTITION_REF = /^data\.aws_partition\.[a-z0-9_]+\.partition$/;

function variable(name: string, scope: Scope): unknown {
  const value = name in scope.vars ? scope.vars[name] : scope.defaults[name]?.default;
  if (value === undefined) throw new Error(`no value for \${var.${name}}`);
  return value;
}

function afterApply(whole: string): Error {
  return new Error(
    `${whole} is only known after apply: build ARNs and names from variables instead`,
  );
}

/** One `${...}` of a template, as text. */
function interpolate(whole: string, expr: string, scope: Scope): string {
  const v = /^var\.([a-z0-9_]+)$/.exec(expr);
  if (v?.[1]) return String(variable(v[1], scope));
  if (PARTITION_REF.test(expr)) return scope.partition;
  const value = new Expression(expr, whole, scope).evaluate();
  if (Array.isArray(value) || value === null)
    throw new Error(`${whole} is not a string, number or bool: it cannot be interpolated`);
  return String(value);
}

/** Index of the `}` closing an interpolation whose expression starts at `from`; -1 if none. */
function interpolationEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i + 1);
      if (i < 0) return -1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Index of the `"` closing a string literal whose content starts at `from`; -1 if none. */
function stringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
    else if (c === '$' && text[i + 1] === '{') {
      i = interpolationEnd(text, i + 2);
      if (i < 0) return -1;
    }
  }
  return -1;
}

/** Terraform's jsonencode: Go's encoding/json, which also escapes <, > and & and the JS line separators. */
function jsonencode(value: TfValue): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function asValue(raw: unknown, whole: string): TfValue {
  if (
    raw === null ||
    typeof raw === 'string' ||
    typeof raw === 'number' ||
    typeof raw === 'boolean'
  )
    return raw;
  if (Array.isArray(raw)) return raw.map((item) => asValue(item, whole));
  throw new Error(`${whole}: maps and objects are not supported here`);
}

/** A recursive-descent evaluator of the subset described above. */
class Expression {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly whole: string,
    private readonly scope: Scope,
  ) {}

  evaluate(): TfValue {
    const value = this.conditional();
    this.space();
    if (this.pos !== this.src.length) throw this.unsupported();
    return value;
  }

  private unsupported(): Error {
    return new Error(
      `${this.whole}: unsupported Terraform expression at "${this.src.slice(this.pos, this.pos + 20)}"`,
    );
  }

  private space(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  private eat(token: string): boolean {
    this.space();
    if (!this.src.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) throw this.unsupported();
  }

  private bool(value: TfValue): boolean {
    if (typeof value !== 'boolean')
      throw new Error(`${this.whole}: ${jsonencode(value)} is not a bool`);
    return value;
  }

  private num(value: TfValue): number {
    if (typeof value !== 'number')
      throw new Error(`${this.whole}: ${jsonencode(value)} is not a number`);
    return value;
  }

  private conditional(): TfValue {
    const condition = this.or();
    if (!this.eat('?')) return condition;
    const whenTrue = this.conditional();
    this.expect(':');
    const whenFalse = this.conditional();
    return this.bool(condition) ? whenTrue : whenFalse;
  }

  private or(): TfValue {
    let left = this.and();
    while (this.eat('||')) {
      const right = this.and();
      left = this.bool(left) || this.bool(right);
    }
    return left;
  }

  private and(): TfValue {
    let left = this.comparison();
    while (this.eat('&&')) {
      const right = this.comparison();
      left = this.bool(left) && this.bool(right);
    }
    return left;
  }

  private comparison(): TfValue {
    const left = this.additive();
    for (const op of ['==', '!=', '>=', '<=', '>', '<'] as const) {
      if (!this.eat(op)) continue;
      const right = this.additive();
      if (op === '==') return jsonencode(left) === jsonencode(right);
      if (op === '!=') return jsonencode(left) !== jsonencode(right);
      const [a, b] = [this.num(left), this.num(right)];
      return op === '>=' ? a >= b : op === '<=' ? a <= b : op === '>' ? a > b : a < b;
    }
    return left;
  }

  /** `a + b` (numbers only; `-` is not supported). */
  private additive(): TfValue {
    let left = this.multiplicative();
    while (this.eat('+')) {
      const right = this.multiplicative();
      left = this.num(left) + this.num(right);
    }
    return left;
  }

  /** `a * b`, `a / b` (numbers only). */
  private multiplicative(): TfValue {
    let left = this.unary();
    for (;;) {
      if (this.eat('*')) left = this.num(left) * this.num(this.unary());
      else if (this.eat('/')) {
        const divisor = this.num(this.unary());
        if (divisor === 0) throw new Error(`${this.whole}: division by zero`);
        left = this.num(left) / divisor;
      } else return left;
    }
  }

  private unary(): TfValue {
    if (this.eat('!')) return !this.bool(this.unary());
    return this.primary();
  }

  private primary(): TfValue {
    this.space();
    const c = this.src[this.pos];
    if (c === '(') {
      this.pos++;
      const value = this.conditional();
      this.expect(')');
      return value;
    }
    if (c === '[') {
      this.pos++;
      return this.items(']');
    }
    if (c === '"') return this.string();
    const number = /^-?\d+(\.\d+)?/.exec(this.src.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return Number(number[0]);
    }
    const path = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(
      this.src.slice(this.pos),
    );
    if (!path) throw this.unsupported();
    this.pos += path[0].length;
    if (this.eat('(')) return this.call(path[0]);
    if (path[0] === 'true' || path[0] === 'false') return path[0] === 'true';
    if (path[0] === 'null') return null;
    const v = /^var\.([a-z0-9_]+)$/.exec(path[0]);
    if (v?.[1]) return asValue(variable(v[1], this.scope), this.whole);
    if (PARTITION_REF.test(path[0])) return this.scope.partition;
    throw afterApply(this.whole);
  }

  /** Comma-separated expressions up to `close` (a trailing comma allowed), past the opening bracket. */
  private items(close: string): TfValue[] {
    const items: TfValue[] = [];
    while (!this.eat(close)) {
      items.push(this.conditional());
      if (!this.eat(',')) {
        this.expect(close);
        break;
      }
    }
    return items;
  }

  private call(name: string): TfValue {
    const args = this.items(')');
    if (name === 'concat') return args.flatMap((a) => this.list(a));
    if (name === 'formatlist') return this.formatlist(args);
    if (name === 'max') {
      if (args.length === 0) throw new Error(`${this.whole}: max() needs at least one argument`);
      return Math.max(...args.map((a) => this.num(a)));
    }
    const [arg] = args;
    if (args.length !== 1 || arg === undefined)
      throw new Error(`${this.whole}: ${name}() takes one argument here`);
    if (name === 'jsonencode') return jsonencode(arg);
    if (name === 'ceil') return Math.ceil(this.num(arg));
    if (name === 'length') {
      if (Array.isArray(arg)) return arg.length;
      if (typeof arg === 'string') return [...arg].length;
      throw new Error(`${this.whole}: length() of ${jsonencode(arg)}`);
    }
    throw new Error(`${this.whole}: function ${name}() is not supported here`);
  }

  private list(value: TfValue): TfValue[] {
    if (!Array.isArray(value)) throw new Error(`${this.whole}: ${jsonencode(value)} is not a list`);
    return value;
  }

  /** Terraform's formatlist with `%s` verbs: lists are iterated together (same length), strings repeat. */
  private formatlist(args: TfValue[]): TfValue[] {
    const [format, ...values] = args;
    if (typeof format !== 'string' || /%[^s]/.test(format.replace(/%%/g, '')))
      throw new Error(`${this.whole}: formatlist() takes a format with %s verbs only here`);
    const lengths = values.filter(Array.isArray).map((v) => v.length);
    if (new Set(lengths).size > 1)
      throw new Error(`${this.whole}: formatlist() lists differ in length`);
    return Array.from({ length: lengths[0] ?? 1 }, (_, i) => {
      let k = 0;
      return format.replace(/%(%|s)/g, (_m, verb: string) => {
        if (verb === '%') return '%';
        const value = values[k++];
        const item = Array.isArray(value) ? value[i] : value;
        if (item === undefined || Array.isArray(item) || item === null)
          throw new Error(`${this.whole}: formatlist() has too few values`);
        return String(item);
      });
    });
  }

  /** A quoted template: escapes and nested `${...}` (rendered as text). */
  private string(): string {
    const end = stringEnd(this.src, this.pos + 1);
    if (end < 0) throw this.unsupported();
    const body = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i] as string;
      if (c === '\\') {
        const next = body[++i];
        const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (next === undefined || !(next in escapes)) throw this.unsupported();
        out += escapes[next];
      } else if (c === '$' && body[i + 1] === '{') {
        const close = interpolationEnd(body, i + 2);
        out += interpolate(this.whole, body.slice(i + 2, close), this.scope);
        i = close;
      } else if (c === '%' && body[i + 1] === '{') {
        throw new Error(`${this.whole}: template directives are not supported here`);
      } else out += c;
    }
    return out;
  }
}
