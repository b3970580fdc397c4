'use strict';
/**
 * For the launchers of the repository's command-line tools (tools/<name>/run.js): the compiled tool at
 * dist/tools/<name>/cli.js, rebuilt first (npm run build) only when it is missing or older than a source it
 * is compiled from (a .ts file under tools/<name> or libs/). Build output goes to stderr so stdout stays
 * the tool's own.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** The path of dist/tools/<name>/cli.js, built if needed; exits with the build's status if the build fails. */
function compiledTool(name) {
  const cli = path.join(root, 'dist', 'tools', name, 'cli.js');
  const stale = !fs.existsSync(cli) || [path.join(root, 'tools', name), path.join(root, 'libs')].some((dir) => newestSource(dir) > fs.statSync(cli).mtimeMs);
  if (stale) {
    process.stderr.write(`[${name}] compiled CLI missing or out of date: npm run build\n`);
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'], shell: process.platform === 'win32' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  return cli;
}

module.exports = { compiledTool, root };
