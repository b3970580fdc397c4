'use strict';
/**
 * Builds the Go peer of the ingress (bench/peers/go-ingress) with `go build` into
 * .cache/bench-go/go-ingress-<hash>, where <hash> covers go.mod, go.sum, main.go and the Go version, so a
 * second run reuses the binary. Without a `go` on PATH (or GO_BIN) the Go target is skipped, not failed:
 * `buildGoPeer` returns { skipped: reason } instead of { binary }.
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { log } = require('./log');

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'bench', 'peers', 'go-ingress');
const CACHE = path.join(ROOT, '.cache', 'bench-go');
const FILES = ['go.mod', 'go.sum', 'main.go'];

function goVersion(go) {
  const r = spawnSync(go, ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error && r.error.code === 'ENOENT') return undefined;
  if (r.error || r.status !== 0) throw new Error(`${go} version failed: ${r.error ? r.error.message : r.stderr}`);
  return r.stdout.trim();
}

function buildGoPeer() {
  const go = process.env.GO_BIN || 'go';
  const version = goVersion(go);
  if (!version) return { skipped: `no Go toolchain (\`${go}\` not found on PATH)` };
  const hash = crypto.createHash('sha256').update(version);
  for (const f of FILES) hash.update(`\0${f}\0`).update(fs.readFileSync(path.join(SOURCE, f)));
  const binary = path.join(CACHE, `go-ingress-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(binary)) {
    log(`Go peer: cached build ${path.relative(ROOT, binary)} (${version})`);
    return { binary, version, cached: true };
  }
  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  const t0 = Date.now();
  log(`Go peer: go build (${version}) into ${path.relative(ROOT, binary)}`);
  const env = { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' ') };
  const r = spawnSync(go, ['build', '-trimpath', '-o', tmp, '.'], { cwd: SOURCE, env, encoding: 'utf8', timeout: 600_000 });
  if (r.error || r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`go build of bench/peers/go-ingress failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${(r.stderr || '').slice(-3000)}`);
  }
  fs.renameSync(tmp, binary); // atomic: a concurrent run sees the whole binary or none
  log(`Go peer: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { binary, version, cached: false };
}

module.exports = { buildGoPeer, SOURCE, CACHE };
