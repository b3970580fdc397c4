import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const docs = require('../../../scripts/check-docs.js') as {
  checkMarkdown(text: string, read: (file: string) => string | undefined): { line: number; message: string }[];
  syncIncludes(text: string, read: (file: string) => string | undefined): string;
  main(argv: string[], root: string, out: (l: string) => void, err: (l: string) => void): number;
};

const FENCE = '```';
const EXAMPLE = "import { runAgent } from '@app/agent';\n\nrunAgent('x', X, 3103); // a `tick` in a comment\n";
const files: Record<string, string> = { 'examples/x/main.ts': EXAMPLE };
const read = (file: string) => files[file];
const md = (...lines: string[]) => lines.join('\n') + '\n';
const include = (body: string, info = 'ts') => md('<!-- include: examples/x/main.ts -->', `${FENCE}${info}`, body, FENCE, '<!-- /include -->');

describe('scripts/check-docs.js', () => {
  it.each([
    ['balanced fences with languages', md('# T', '', `${FENCE}bash`, 'npm test', FENCE, '', '~~~yaml', 'a: 1', '~~~'), []],
    ['a longer fence holding a shorter one', md('````markdown', `${FENCE}ts`, 'x', FENCE, '````'), []],
    ['a link, inline code with a bracket, an escaped bracket', md('See [the file](a/b.ts), `a[0]` and \\[not a link.'), []],
    ['a good include (the file verbatim)', include(EXAMPLE.replace(/\n$/, '')), []],
    ['an unclosed fence', md('# T', `${FENCE}ts`, 'const a = 1;'), [/never closed/]],
    ['a fence without a language', md(FENCE, 'plain', FENCE), [/without a language/]],
    ['a fence with a language inside an open block', md(`${FENCE}ts`, 'a', `${FENCE}bash`, 'b', FENCE), [/inside the code block opened at line 1/]],
    ['text running into a link', md('It is', '[examplesimport { Controller } from "x";', '', 'after'), [/"\[" is never closed/]],
    ['a link target left open', md('It is [examples](examples/welcome-agent', 'import x from "y";'), [/link target/]],
    ['a drifted include', include("import { runAgent } from '@app/agent';\n\nrunAgent('x', X, 3104);"), [/differs from the file/]],
    ['an include fenced with the wrong language', include(EXAMPLE.replace(/\n$/, ''), 'js'), [/fenced as ts/]],
    ['an include of a missing file', md('<!-- include: nope.ts -->', `${FENCE}ts`, FENCE, '<!-- /include -->'), [/does not exist/]],
    ['an include without its end marker', md('<!-- include: examples/x/main.ts -->', `${FENCE}ts`, FENCE), [/no <!-- \/include -->/]],
  ] as [string, string, RegExp[]][])('%s', (_name, text, expected) => {
    const problems = docs.checkMarkdown(text, read).map((p) => p.message);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(problems[i]).toMatch(re));
  });

  it('rewrites a drifted include from its file, and leaves the rest of the text as it was', () => {
    const text = md('# Agent', 'before', '') + include('old text') + md('', 'after');
    const fixed = docs.syncIncludes(text, read);
    expect(docs.checkMarkdown(fixed, read)).toEqual([]);
    expect(fixed).toBe(md('# Agent', 'before', '') + include(EXAMPLE.replace(/\n$/, '')) + md('', 'after'));
    expect(docs.syncIncludes(fixed, read)).toBe(fixed); // idempotent
  });

  it('the command fails on a drifted include, --fix repairs it, then it passes', () => {
    const root = mkdtempSync(join(tmpdir(), 'check-docs-'));
    mkdirSync(join(root, 'examples', 'x'), { recursive: true });
    writeFileSync(join(root, 'examples', 'x', 'main.ts'), EXAMPLE);
    writeFileSync(join(root, 'README.md'), include('drifted'));
    const err: string[] = [];
    expect(docs.main([], root, () => undefined, (l) => err.push(l))).toBe(1);
    expect(err[0]).toMatch(/^README\.md:1: include of examples\/x\/main\.ts differs/);
    expect(docs.main(['--fix'], root, () => undefined, () => undefined)).toBe(0);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(EXAMPLE);
    expect(docs.main([], root, () => undefined, () => undefined)).toBe(0);
  });

  it("passes on this repository's own Markdown (README's agent example included verbatim)", () => {
    const lines: string[] = [];
    expect(docs.main([], join(__dirname, '..', '..', '..'), () => undefined, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([]);
    expect(readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8')).toContain(
      readFileSync(join(__dirname, '..', '..', '..', 'examples', 'welcome-agent', 'main.ts'), 'utf8'),
    );
  });
});
