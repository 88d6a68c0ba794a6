import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenLinks, headingAnchors } from '../support/markdown-links';

const ROOT = join(__dirname, '..', '..');

test('every relative link in the Markdown files leads to a file or folder of the repository, and to a heading there', () => {
  // Prepare: tracked files, plus new ones not ignored (so a link to a file not yet added counts)
  const files = new Set(
    execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean),
  );
  const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
  const markdown = [...files].filter((f) => f.endsWith('.md'));

  // Act
  const broken = markdown.flatMap((f) => brokenLinks(f, read(f), files, read));

  // Assess
  expect(markdown).toEqual(expect.arrayContaining(['README.md', 'stacks/ecs/README.md']));
  expect(broken).toEqual([]);
});

test('the link check reports a missing file, a missing heading and a path out of the repository', () => {
  // Prepare
  const files = new Set(['README.md', 'docs/guide.md', 'stacks/app.ts']);
  const docs: Record<string, string> = { 'docs/guide.md': '# Guide\n\n## Set up `npm`\n' };
  const readme = [
    '# Top',
    '[ok file](stacks/app.ts) [ok folder](stacks/) [ok anchor](docs/guide.md#set-up-npm)',
    '[self](#top) [web](https://example.com/x) `[code](nowhere.md)`',
    '[missing](stacks/gone.ts) [bad anchor](docs/guide.md#setup) [outside](../x.md)',
    '```md\n[fenced](nowhere.md)\n```',
  ].join('\n');

  // Act
  const broken = brokenLinks('README.md', readme, files, (p) => docs[p] ?? '');

  // Assess
  expect(broken).toEqual([
    'README.md: stacks/gone.ts',
    'README.md: docs/guide.md#setup',
    'README.md: ../x.md',
  ]);
});

test('heading anchors follow GitHub: punctuation dropped, repeats numbered', () => {
  const anchors = headingAnchors(
    '# ops-autopilot\n## Moving to CDK Terrain (`cdktn`)\n## Notes\n## Notes\n```sh\n# not a heading\n```\n',
  );
  expect([...anchors]).toEqual([
    'ops-autopilot',
    'moving-to-cdk-terrain-cdktn',
    'notes',
    'notes-1',
  ]);
});
