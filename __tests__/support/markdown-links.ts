import { posix } from 'node:path';

/** Markdown without its fenced code blocks, where headings are real. */
const unfenced = (markdown: string) =>
  markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** Markdown outside code blocks and inline code, where links are real. */
const prose = (markdown: string) => unfenced(markdown).replace(/`[^`\n]*`/g, '');

/** GitHub's anchors of a document's headings: lower case, punctuation dropped, spaces as "-". */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of unfenced(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = (text ?? '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/**
 * The relative links of one Markdown file that lead nowhere: no such file or folder among `files`
 * (repository paths), or no such heading for a `#fragment`. Links with a scheme (https:) are not checked.
 */
export function brokenLinks(
  file: string,
  markdown: string,
  files: ReadonlySet<string>,
  read: (path: string) => string,
): string[] {
  const broken: string[] = [];
  for (const [, target = ''] of prose(markdown).matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path = '', fragment] = target.split('#', 2);
    const resolved = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path));
    const clean = resolved.replace(/\/+$/, '');
    const isFile = files.has(clean);
    const isFolder = clean === '.' || [...files].some((f) => f.startsWith(`${clean}/`));
    if (clean.startsWith('..') || (!isFile && !isFolder)) broken.push(`${file}: ${target}`);
    else if (
      fragment !== undefined &&
      !(isFile && headingAnchors(clean === file ? markdown : read(clean)).has(fragment))
    )
      broken.push(`${file}: ${target}`);
  }
  return broken;
}
