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
  'Without Go: run Mailpit with Docker (docker run -p 1025:1025 -p 8025:8025 axllent/mailpit), or point the mailer ' +
  'at any SMTP server: SMTP_URL=smtp://user:pass@host:587 npm run stack (Mailpit is then not started).';

function binaryPath() {
  return path.join(ROOT, '.cache', 'mailpit', MAILPIT_VERSION, 'mailpit');
}

function dataDir(httpPort) {
  return path.join(ROOT, '.data', `mailpit-${httpPort}`);
}

/**
 * Builds the binary once; later calls return at once. Mailpit's module on the Go proxy carries the web
 * UI's sources but not the built UI (its releases build it with npm), so a plain `go install` serves
 * SMTP and the API but an empty inbox page. So: the module's source (from the Go module cache), its UI
 * built with esbuild from the npm registry, then `go build`. When the UI cannot be built (no npm, a
 * package missing), it falls back to `go install`: SMTP and the HTTP API work, the inbox page does not.
 */
function ensureBinary({ quiet = false } = {}) {
  const bin = binaryPath();
  if (fs.existsSync(bin)) return bin;
  const say = (m) => quiet || console.error(`[mailpit] ${m}`);
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) throw new MailpitError(`Mailpit is built with Go, and \`go\` was not found. ${HOW_ELSE}`);
  const mod = `github.com/axllent/mailpit@${MAILPIT_VERSION}`;
  say(`building ${mod} with ${go.stdout.trim()} (once, a few minutes)`);
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  try {
    buildWithUi(mod, bin, say);
  } catch (e) {
    say(`the web UI could not be built (${e.message}); installing without it: SMTP and the API work, the inbox page will be empty`);
    const r = spawnSync('go', ['install', mod], { env: { ...process.env, GOBIN: path.dirname(bin), CGO_ENABLED: '0' }, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0 || !fs.existsSync(bin)) throw new MailpitError(`go install ${mod} failed (exit ${r.status}). ${HOW_ELSE}`);
  }
  return bin;
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || String(r.error || '')).trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}

function buildWithUi(mod, bin, say) {
  const info = JSON.parse(run('go', ['mod', 'download', '-json', mod]));
  const src = path.join(path.dirname(bin), 'src');
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(info.Dir, src, { recursive: true });
  // The module cache is read-only; the copy must be writable for node_modules and the built UI.
  run('chmod', ['-R', 'u+w', src]);
  // Only what the inbox needs: its app bundle (not the API docs page, whose rapidoc is large and not
  // always on every registry mirror), and only the build tools, without the lock file's exact pins.
  const pkgFile = path.join(src, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  delete pkg.dependencies.rapidoc;
  const buildTools = ['esbuild', 'esbuild-plugin-vue-next', 'esbuild-sass-plugin', '@vue/compiler-sfc'];
  pkg.devDependencies = Object.fromEntries(Object.entries(pkg.devDependencies || {}).filter(([name]) => buildTools.includes(name)));
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  fs.rmSync(path.join(src, 'package-lock.json'), { force: true });
  const config = path.join(src, 'esbuild.config.mjs');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(', "server/ui-src/docs.js"', ''));
  say('building the web UI (npm install, esbuild)');
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: src });
  run(process.execPath, ['esbuild.config.mjs'], { cwd: src, env: { ...process.env, MINIFY: 'true' } });
  if (!fs.existsSync(path.join(src, 'server', 'ui', 'dist', 'app.js'))) throw new Error('esbuild wrote no app.js');
  say('go build');
  run('go', ['build', '-o', bin, '.'], { cwd: src, env: { ...process.env, CGO_ENABLED: '0' } });
  fs.rmSync(src, { recursive: true, force: true });
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
