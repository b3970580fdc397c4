'use strict';
/**
 * Compiles every app and library in one tsc pass (dist/apps/<app>/src, dist/libs/<lib>/src), then
 * rewrites the `@app/<lib>` path aliases into relative requires so `node dist/apps/<app>/src/main.js`
 * runs without a loader. (`nest build <app>` works too; this is the faster whole-repo build.)
 */
require('./require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', 'dist', '--rootDir', '.'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const ALIAS = /require\("@app\/([a-z0-9-]+)(\/[^"]*)?"\)/g;
function rewrite(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) rewrite(file);
    else if (entry.name.endsWith('.js')) {
      const src = fs.readFileSync(file, 'utf8');
      const out = src.replace(ALIAS, (_m, lib, sub = '') => {
        let rel = path.relative(path.dirname(file), path.join(dist, 'libs', lib, 'src') + sub).split(path.sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `require("${rel}")`;
      });
      if (out !== src) fs.writeFileSync(file, out);
    }
  }
}
rewrite(dist);
console.log('[build] compiled to dist/');
