'use strict';
/**
 * Checks the project's Markdown (every tracked *.md: README.md, docs/**, apps/**, tools/**, libs/**, ...):
 *
 *   - code fences are balanced: every opening fence is closed before the file ends, and no fence with a
 *     language sits inside a code block (the sign of an earlier fence left open);
 *   - every opening fence names its language (```ts, ```bash, ```text for plain output);
 *   - no link text runs on: a `[` or `](` left open until the end of its paragraph (the way a broken
 *     `[examples` link once swallowed the code after it);
 *   - include blocks are verbatim copies of the file they name:
 *
 *         <!-- include: examples/welcome-agent/main.ts -->
 *         ```ts
 *         ...the file, byte for byte...
 *         ```
 *         <!-- /include -->
 *
 * `node scripts/check-docs.js` exits 1 and lists each problem as file:line; `--fix` (npm run docs:sync)
 * rewrites include blocks from their files first. Plain Node, no dependencies: it runs in `npm run lint`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const INCLUDE_OPEN = /^<!--\s*include:\s*(\S+)\s*-->\s*$/;
const INCLUDE_CLOSE = /^<!--\s*\/include\s*-->\s*$/;
/** The fence language an include gets from its file's extension. */
const LANGUAGES = { '.ts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.sh': 'bash', '.md': 'markdown' };

/** The fences of a text: [{ line (1-based), end (line of the closing fence, or undefined), info }]. */
function fences(lines) {
  const out = [];
  let open;
  lines.forEach((text, i) => {
    const m = FENCE.exec(text);
    if (!open) {
      if (!m) return;
      // A backtick fence's info string may not contain a backtick (CommonMark): that is inline code.
      if (m[2][0] === '`' && m[3].includes('`')) return;
      open = { line: i + 1, end: undefined, marker: m[2], info: m[3].trim(), nested: [] };
      out.push(open);
      return;
    }
    if (m && m[2][0] === open.marker[0] && m[2].length >= open.marker.length && m[3].trim() === '') {
      open.end = i + 1;
      open = undefined;
    } else if (m && m[2] === open.marker && m[3].trim() !== '') {
      open.nested.push(i + 1);
    }
  });
  return out;
}

/** Paragraph text outside code, with inline code spans and escaped brackets removed: [{ line, text }]. */
function paragraphs(lines, codeLines) {
  const out = [];
  let current;
  lines.forEach((text, i) => {
    if (codeLines.has(i + 1) || text.trim() === '' || /^\s*<!--.*-->\s*$/.test(text)) {
      current = undefined;
      return;
    }
    if (!current) out.push((current = { line: i + 1, text: '' }));
    current.text += `${text}\n`;
  });
  for (const p of out) p.text = p.text.replace(/\\[[\]()]/g, '').replace(/(`+)[\s\S]*?\1/g, '``');
  return out;
}

/** Link brackets left open until the paragraph ends: `[text` without `]`, or `](url` without `)`. */
function runOnLinks(paragraph) {
  const problems = [];
  const stack = [];
  const text = paragraph.text;
  const lineOf = (index) => paragraph.line + (text.slice(0, index).match(/\n/g) || []).length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') stack.push(i);
    else if (c === ']') {
      stack.pop();
      if (text[i + 1] === '(') {
        const close = text.indexOf(')', i + 2);
        const newline = text.indexOf('\n', i + 2);
        if (close < 0 || (newline >= 0 && newline < close)) {
          problems.push({ line: lineOf(i), message: 'a link target "](" is not closed on its line: text runs into the link' });
        }
      }
    }
  }
  for (const i of stack) {
    const snippet = text.slice(i, i + 30).split('\n')[0];
    problems.push({ line: lineOf(i), message: `"[" is never closed in its paragraph ("${snippet}..."): text runs into a link` });
  }
  return problems;
}

/** Include blocks: [{ file, open (0-based line of the marker), close, fenceInfo, body, problem }]. */
function includes(lines) {
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = INCLUDE_OPEN.exec(lines[i]);
    if (!m) continue;
    const block = { file: m[1], open: i, close: -1 };
    out.push(block);
    let j = i + 1;
    while (j < lines.length && !INCLUDE_CLOSE.test(lines[j]) && !INCLUDE_OPEN.test(lines[j])) j++;
    if (j >= lines.length || !INCLUDE_CLOSE.test(lines[j])) {
      block.problem = `include of ${block.file} has no <!-- /include --> after it`;
      continue;
    }
    block.close = j;
    const inner = lines.slice(i + 1, j);
    const first = FENCE.exec(inner[0] || '');
    const last = FENCE.exec(inner[inner.length - 1] || '');
    if (inner.length < 2 || !first || !last || last[3].trim() !== '' || last[2] !== first[2]) {
      block.problem = `include of ${block.file} must hold exactly one code fence between its markers`;
      continue;
    }
    block.fenceInfo = first[3].trim();
    block.body = inner.slice(1, -1).join('\n');
  }
  return out;
}

function languageOf(file) {
  return LANGUAGES[path.extname(file)] || 'text';
}

/** The fenced copy of a file: its exact text, with a fence longer than any backtick run inside it. */
function fenced(file, content) {
  const longest = Math.max(2, ...(content.match(/`+/g) || []).map((s) => s.length));
  const marker = '`'.repeat(longest + 1);
  return [`${marker}${languageOf(file)}`, ...content.replace(/\n$/, '').split('\n'), marker];
}

/**
 * Every problem of one Markdown text: [{ line, message }]. `read(relPath)` returns a file's text, or
 * undefined when it does not exist; include paths are relative to the repository root.
 */
function checkMarkdown(text, read) {
  const lines = text.split('\n');
  const problems = [];
  const all = fences(lines);
  const codeLines = new Set();
  for (const f of all) {
    const end = f.end ?? lines.length;
    for (let l = f.line; l <= end; l++) codeLines.add(l);
    if (f.end === undefined) problems.push({ line: f.line, message: `code fence ${f.marker}${f.info} is never closed` });
    if (f.info === '') problems.push({ line: f.line, message: 'code fence without a language (use ```text for plain text)' });
    for (const n of f.nested) {
      problems.push({ line: n, message: `fence with a language inside the code block opened at line ${f.line}: is a fence above left open?` });
    }
  }
  for (const p of paragraphs(lines, codeLines)) problems.push(...runOnLinks(p));
  for (const block of includes(lines)) {
    const line = block.open + 1;
    if (block.problem) {
      problems.push({ line, message: block.problem });
      continue;
    }
    const content = read(block.file);
    if (content === undefined) {
      problems.push({ line, message: `include names ${block.file}, which does not exist` });
      continue;
    }
    if (block.fenceInfo !== languageOf(block.file)) {
      problems.push({ line, message: `include of ${block.file} should be fenced as ${languageOf(block.file)}, not "${block.fenceInfo}"` });
    }
    if (block.body !== content.replace(/\n$/, '')) {
      problems.push({ line, message: `include of ${block.file} differs from the file (npm run docs:sync rewrites it)` });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}

/** The text with every include block rewritten from its file (blocks that name no file are left alone). */
function syncIncludes(text, read) {
  const lines = text.split('\n');
  // Back to front, so earlier line numbers stay valid.
  for (const block of includes(lines).reverse()) {
    if (block.close < 0) continue;
    const content = read(block.file);
    if (content === undefined) continue;
    lines.splice(block.open + 1, block.close - block.open - 1, ...fenced(block.file, content));
  }
  return lines.join('\n');
}

/** Tracked Markdown files (git), or every *.md outside build and dependency folders when git is absent. */
function markdownFiles(root) {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.md'], { cwd: root, encoding: 'utf8' });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f && fs.existsSync(path.join(root, f)));
  const skip = new Set(['node_modules', 'dist', '.git', '.data', '.cache', 'coverage']);
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skip.has(e.name)) walk(rel);
      } else if (e.name.endsWith('.md')) found.push(rel);
    }
  };
  walk('');
  return found;
}

function readerFor(root) {
  return (rel) => {
    const full = path.resolve(root, rel);
    if (!full.startsWith(root + path.sep)) return undefined; // an include may not leave the repository
    try {
      return fs.readFileSync(full, 'utf8');
    } catch {
      return undefined;
    }
  };
}

function main(argv, root = ROOT, out = console.log, err = console.error) {
  const fix = argv.includes('--fix');
  const read = readerFor(root);
  let failures = 0;
  let fixed = 0;
  const files = markdownFiles(root);
  for (const file of files) {
    const full = path.join(root, file);
    let text = fs.readFileSync(full, 'utf8');
    if (fix) {
      const synced = syncIncludes(text, read);
      if (synced !== text) {
        fs.writeFileSync(full, synced);
        text = synced;
        fixed++;
        out(`check-docs: rewrote the include blocks of ${file}`);
      }
    }
    for (const p of checkMarkdown(text, read)) {
      err(`${file}:${p.line}: ${p.message}`);
      failures++;
    }
  }
  if (failures > 0) {
    err(`check-docs: ${failures} problem(s) in Markdown files${fix ? '' : '; include blocks can be refreshed with npm run docs:sync'}`);
    return 1;
  }
  out(`check-docs: ${files.length} Markdown files OK${fix ? ` (${fixed} rewritten)` : ''}`);
  return 0;
}

module.exports = { checkMarkdown, syncIncludes, markdownFiles, main };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
