/**
 * The little XML the AWS query protocols use: elements, text and entities, no attributes that matter (only
 * xmlns), no CDATA, no mixed content. Enough to read moto's answers and to write the stand-ins' answers.
 */
export interface XmlElement {
  readonly name: string;
  /** The raw attribute text (e.g. ` xmlns="…"`), written back unchanged. */
  readonly attributes: string;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Parses a document into its root element; throws on a document it cannot read. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [{ name: '#document', attributes: '', children: [], text: '' }];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const top = stack[stack.length - 1]!;
    top.text += decode(xml.slice(last, m.index));
    last = tag.lastIndex;
    const [, closing, name, attributes, selfClosing] = m;
    if (name === undefined) continue; // declaration or comment
    if (closing) {
      if (top.name !== name) throw new Error(`XML: </${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const element: XmlElement = { name, attributes: attributes ?? '', children: [], text: '' };
    top.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is not closed`);
  const root = stack[0]!.children[0];
  if (!root) throw new Error('XML: no root element');
  return root;
}

/** The first descendant (depth first) with this name. */
export function find(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = find(child, name);
    if (found) return found;
  }
  return undefined;
}

/** Every descendant with this name, outermost first; does not look inside a match. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) =>
    child.name === name ? [child] : findAll(child, name),
  );
}

/** Text of the first descendant with this name, trimmed, or undefined. */
export function textOf(element: XmlElement, name: string): string | undefined {
  const found = find(element, name);
  return found ? found.text.trim() : undefined;
}

/** A list whose items carry their own element name (Redshift: `<Events><Event>…`). */
export class XmlList {
  constructor(
    readonly item: string,
    readonly items: readonly XmlValue[],
  ) {}
}

/** A value to serialize: text, a nested structure, a list (each item wrapped in `item` or `member`). */
export type XmlValue =
  | string
  | number
  | boolean
  | undefined
  | XmlList
  | XmlValue[]
  | { [k: string]: XmlValue };

/**
 * Serializes `{ name: value }` pairs. Lists become `<name><item>…</item></name>` (`listItem` = "item" for
 * EC2, "member" for the other query services); undefined values are left out, as AWS leaves out unset fields.
 */
export function toXml(value: Record<string, XmlValue>, listItem: 'item' | 'member'): string {
  const write = (name: string, v: XmlValue): string => {
    if (v === undefined) return '';
    if (v instanceof XmlList)
      return `<${name}>${v.items.map((i) => write(v.item, i)).join('')}</${name}>`;
    if (Array.isArray(v)) return `<${name}>${v.map((i) => write(listItem, i)).join('')}</${name}>`;
    if (typeof v === 'object') {
      return `<${name}>${Object.entries(v)
        .map(([k, c]) => write(k, c))
        .join('')}</${name}>`;
    }
    return `<${name}>${escapeXml(String(v))}</${name}>`;
  };
  return Object.entries(value)
    .map(([k, v]) => write(k, v))
    .join('');
}

/** Serializes an element tree back (used to return a fixed-up moto answer). */
export function serializeXml(element: XmlElement): string {
  const inner =
    element.children.length > 0
      ? element.children.map(serializeXml).join('')
      : escapeXml(element.text.trim());
  return `<${element.name}${element.attributes}>${inner}</${element.name}>`;
}
