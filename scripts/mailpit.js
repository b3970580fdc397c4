'use strict';
/**
 * Mailpit, a real SMTP server with an inbox (web UI and HTTP API), for development and tests. Built once
 * from the Go module proxy (`go install github.com/axllent/mailpit@<version>`) into .cache/mailpit/<version>;
 * runs on 127.0.0.1 with its pid in .data/mailpit-<http port>. Used by `npm run mailpit:start|stop|status`,
 * by `npm run stack` and by the tests that send email.
 */
require('./require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MAILPIT_VERSION = process.env.MAILPIT_VERSION || 'v1.33.1';
const DEFAULT_SMTP_PORT = 1025;
const DEFAULT_HTTP_PORT = 8025;
const READY_TIMEOUT_MS = 30_000;

class MailpitError extends Error {}

const HOW_ELSE =
  'Without Go: run Mailpit with Docker (docker run -p 1025:1025 -p 8025:8025 axllent/mailpit), or point SMTP_URL ' +
  'at any SMTP server (smtp://user:pass@host:587) and start the stack with STACK_MAILPIT=0.';

function binaryPath() {
  return path.join(ROOT, '.cache', 'mailpit', MAILPIT_VERSION, 'mailpit');
}

function dataDir(httpPort) {
  return path.join(ROOT, '.data', `mailpit-${httpPort}`);
}

/** Builds the binary with `go install` once; later calls return at once. */
function ensureBinary({ quiet = false } = {}) {
  const bin = binaryPath();
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) throw new MailpitError(`Mailpit is built with Go, and \`go\` was not found. ${HOW_ELSE}`);
  if (!quiet) console.error(`[mailpit] building github.com/axllent/mailpit@${MAILPIT_VERSION} with ${go.stdout.trim()} (once, a few minutes)`);
  const r = spawnSync('go', ['install', `github.com/axllent/mailpit@${MAILPIT_VERSION}`], {
    env: { ...process.env, GOBIN: path.dirname(bin), CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !fs.existsSync(bin)) throw new MailpitError(`go install github.com/axllent/mailpit@${MAILPIT_VERSION} failed (exit ${r.status}). ${HOW_ELSE}`);
  return bin;
}

function readPid(httpPort) {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir(httpPort), 'mailpit.pid'), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function answers(httpPort, timeoutMs = 1000) {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/info`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts Mailpit unless one already answers on httpPort. `args` adds flags (tests use
 * --smtp-allowed-recipients and --chaos-triggers to make the server refuse).
 */
async function start({ smtpPort = DEFAULT_SMTP_PORT, httpPort = DEFAULT_HTTP_PORT, args = [], max = Number(process.env.MAILPIT_MAX || 500) } = {}) {
  const running = readPid(httpPort);
  if (running && (await answers(httpPort))) return { started: false, smtpPort, httpPort, pid: running };
  if (await answers(httpPort)) throw new MailpitError(`something else answers on 127.0.0.1:${httpPort}; set MAILPIT_HTTP_PORT to another port`);
  const bin = ensureBinary();
  const dir = dataDir(httpPort);
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'mailpit.log');
  const out = fs.openSync(log, 'w');
  const child = spawn(
    bin,
    [
      '--smtp', `127.0.0.1:${smtpPort}`,
      '--listen', `127.0.0.1:${httpPort}`,
      '--max', String(max),
      '--smtp-auth-accept-any', '--smtp-auth-allow-insecure',
      '--smtp-disable-rdns', '--disable-version-check',
      ...args,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(path.join(dir, 'mailpit.pid'), String(child.pid));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(httpPort)) return { started: true, smtpPort, httpPort, pid: child.pid, log };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new MailpitError(`Mailpit did not answer on 127.0.0.1:${httpPort} within ${READY_TIMEOUT_MS / 1000} s; see ${log}`);
}

async function stop({ httpPort = DEFAULT_HTTP_PORT } = {}) {
  const pid = readPid(httpPort);
  fs.rmSync(path.join(dataDir(httpPort), 'mailpit.pid'), { force: true });
  if (!pid) return { stopped: false };
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return { stopped: true, pid };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
  return { stopped: true, pid };
}

module.exports = { start, stop, ensureBinary, answers, binaryPath, MailpitError, DEFAULT_SMTP_PORT, DEFAULT_HTTP_PORT, MAILPIT_VERSION };

const USAGE = `usage: node scripts/mailpit.js <install|start|stop|status> [--help]

  install   build Mailpit ${MAILPIT_VERSION} with \`go install\` into .cache/mailpit/ (once)
  start     start it on 127.0.0.1 (SMTP MAILPIT_SMTP_PORT, default ${DEFAULT_SMTP_PORT}; inbox and API MAILPIT_HTTP_PORT, default ${DEFAULT_HTTP_PORT}); a no-op when it runs
  stop      stop the one started on MAILPIT_HTTP_PORT
  status    whether it runs and answers

exit codes: 0 done; 1 failed (the message says why); 2 usage`;

if (require.main === module) {
  const cmd = process.argv[2];
  const smtpPort = Number(process.env.MAILPIT_SMTP_PORT || DEFAULT_SMTP_PORT);
  const httpPort = Number(process.env.MAILPIT_HTTP_PORT || DEFAULT_HTTP_PORT);
  const run = async () => {
    switch (cmd) {
      case 'install':
        console.log(`[mailpit] ${ensureBinary()}`);
        return 0;
      case 'start': {
        const r = await start({ smtpPort, httpPort });
        console.log(`[mailpit] ${r.started ? 'started' : 'already running'}: SMTP 127.0.0.1:${smtpPort}, inbox http://127.0.0.1:${httpPort} (pid ${r.pid})`);
        return 0;
      }
      case 'stop': {
        const r = await stop({ httpPort });
        console.log(r.stopped ? `[mailpit] stopped (pid ${r.pid})` : '[mailpit] was not running');
        return 0;
      }
      case 'status': {
        const pid = readPid(httpPort);
        const ok = await answers(httpPort);
        console.log(`[mailpit] ${pid ? `running (pid ${pid})` : 'not running'}${ok ? `, answers on ${httpPort}` : ''}`);
        return ok ? 0 : 1;
      }
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return 0;
      default:
        console.error(USAGE);
        return 2;
    }
  };
  run().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`[mailpit] ${e instanceof MailpitError ? e.message : e.stack || e}`);
      process.exit(1);
    },
  );
}
