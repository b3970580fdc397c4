#!/usr/bin/env node
'use strict';
/**
 * `npx hookline ...` / `npm run hookline -- ...`: runs the compiled CLI, first rebuilding dist/ (npm run
 * build) only when dist/tools/hookline/cli.js is missing or older than a source it is compiled from (a .ts
 * file under tools/hookline or libs/). Build output goes to stderr so stdout stays the CLI's own.
 */
require('../../scripts/require-node.js'); // first: hookline needs Node.js 24+ (npm run and npx use the project's own)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'tools', 'hookline', 'cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!fs.existsSync(cli)) return true;
  const built = fs.statSync(cli).mtimeMs;
  return [path.join(root, 'tools', 'hookline'), path.join(root, 'libs')].some((dir) => newestSource(dir) > built);
}

if (isStale()) {
  process.stderr.write('[hookline] compiled CLI missing or out of date: npm run build\n');
  const build = spawnSync('npm', ['run', '-s', 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, 'inherit'],
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require(cli).runCli(process.argv.slice(2));
