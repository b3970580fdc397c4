'use strict';
/**
 * For the local stack and the test-webhook tool only: fills unset variables from `.env` (yours, never
 * committed) or, when there is none, from `.env.example` (development secrets), and says which it used.
 * Production processes read only their real environment.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function parse(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function loadDevEnv(log = (msg) => process.stderr.write(`${msg}\n`)) {
  const own = path.join(root, '.env');
  const file = fs.existsSync(own) ? own : path.join(root, '.env.example');
  const values = parse(fs.readFileSync(file, 'utf8'));
  const filled = Object.keys(values).filter((k) => process.env[k] === undefined);
  for (const k of filled) process.env[k] = values[k];
  if (filled.length > 0) {
    log(`env   | ${filled.length} unset variable(s) taken from ${path.basename(file)}${file.endsWith('.example') ? ' (development secrets: create .env for your own)' : ''}`);
  }
}

module.exports = { loadDevEnv };
