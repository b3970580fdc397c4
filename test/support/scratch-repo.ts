import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/**
 * A scratch directory that mirrors the repository's layout where `hookline new agent` reads and writes:
 * nest-cli.json, package.json, the apps' main.ts files (taken health ports), the boundaries table and
 * test/support (what generated tests import). It lives under .cache/ inside the repository so that
 * `@app/<lib>` (tsconfig paths, jest's moduleNameMapper) and node_modules resolve to the real ones.
 */
export function scratchRepo(): string {
  const base = path.join(ROOT, '.cache', 'scratch');
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, 'repo-'));
  for (const file of ['nest-cli.json', 'package.json', 'test/unit/architecture/boundaries.spec.ts']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  for (const app of fs.readdirSync(path.join(ROOT, 'apps'))) {
    const main = path.join('apps', app, 'src', 'main.ts');
    if (!fs.existsSync(path.join(ROOT, main))) continue;
    fs.mkdirSync(path.join(dir, path.dirname(main)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, main), path.join(dir, main));
  }
  fs.cpSync(path.join(ROOT, 'test', 'support'), path.join(dir, 'test', 'support'), { recursive: true });
  // Marks the tree as a checkout for findRepoRoot; the libraries themselves resolve to the repository's.
  fs.mkdirSync(path.join(dir, 'libs', 'contracts', 'src'), { recursive: true });
  return dir;
}

/** A tsconfig.json for `files` of the scratch tree: the repository's settings, so its type check and eslint's apply. */
export function scratchTsconfig(dir: string, files: string[]): void {
  const config = { extends: path.relative(dir, path.join(ROOT, 'tsconfig.json')), include: files };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(config, null, 2)}\n`);
}

export function removeScratch(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
