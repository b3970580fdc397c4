'use strict';
/**
 * Starts the processes under test: the real ingress and lead-agent (from the run's snapshot of dist/),
 * the two reference servers in bench/servers, and the Go peer (bench/peers/go-ingress, built by
 * lib/go-peer.js). Each is its own OS process; each resolves only when
 * it is ready to be measured.
 */
const http = require('node:http');
const path = require('node:path');
const procs = require('./procs');
const { sleep } = require('./log');

const ROOT = path.resolve(__dirname, '..', '..');

function getStatus(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => (req.destroy(), resolve(0)));
  });
}

async function waitHttp(proc, port, urlPath, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitInfo) throw new Error(`${proc.name} exited (${proc.exitInfo.signal || proc.exitInfo.code}) during start-up:\n${proc.tail.slice(-2000)}`);
    if ((await getStatus(port, urlPath)) === 200) return;
    await sleep(100);
  }
  throw new Error(`${proc.name} not ready on :${port}${urlPath} within ${timeoutMs} ms:\n${proc.tail.slice(-2000)}`);
}

/** The real ingress: `node dist/apps/ingress/src/main.js` with PORT, secrets and a topic prefix. */
async function startIngress(ctx, { port, prefix, name = 'ingress', nodeArgs = [], extraEnv = {} }) {
  const script = path.join(ctx.dist, 'apps/ingress/src/main.js');
  const env = {
    ...process.env,
    ...ctx.secrets,
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: ctx.broker.brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const proc = procs.start(name, process.execPath, [...nodeArgs, script], { cwd: ROOT, env });
  await waitHttp(proc, port, '/health/ready', 60_000);
  return proc;
}

/**
 * A lead-agent process. Resolves once it has restored its tasks (the "tasks restored" log line, whose
 * JSON is returned as `restored`), i.e. when it is consuming.
 */
async function startLeadAgent(ctx, { prefix, healthPort = 0, name = 'lead-agent', extraEnv = {}, nodeArgs = [], timeoutMs = 120_000, script = path.join(ctx.dist, 'apps/lead-agent/src/main.js') }) {
  const env = {
    ...process.env,
    KAFKA_BROKERS: ctx.broker.brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HEALTH_PORT: String(healthPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    BENCH_DIST: ctx.dist,
    ...extraEnv,
  };
  const startedAt = performanceNow();
  // BENCH_AGENT_NODE_ARGS: extra node arguments for every agent process (experiments, e.g. a -r preload).
  const extra = (process.env.BENCH_AGENT_NODE_ARGS || '').split(' ').filter(Boolean);
  const proc = procs.start(name, process.execPath, [...extra, ...nodeArgs, script], { cwd: ROOT, env });
  proc.startedAt = startedAt;
  proc.restoredLine = proc.waitForLine(/"tasks restored"/, timeoutMs, 'tasks restored');
  proc.restoredLine.catch(() => undefined); // callers await it; this only keeps an early exit from going unhandled
  return proc;
}

/** One of bench/servers/*.js; it reports { ready: port } over IPC. */
async function startReferenceServer(ctx, { kind, port, env = {} }) {
  const script = path.join(__dirname, '..', 'servers', `${kind}.js`);
  const proc = procs.startNode(kind, script, [], { cwd: ROOT, env: { ...process.env, PORT: String(port), ...env } });
  await proc.waitForMessage((m) => m && m.ready, 60_000, 'ready message');
  return proc;
}

/**
 * The Go peer of the ingress (a binary from lib/go-peer.js): CRM webhooks only, franz-go with acks=all.
 * Ready when /health/ready answers 200 (it answers once the broker did).
 */
async function startGoPeer(ctx, { binary, port, topic, name = 'go-ingress', extraEnv = {} }) {
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: ctx.broker.brokers.join(','),
    TOPIC: topic,
    WEBHOOK_SECRET_CRM: ctx.secrets.WEBHOOK_SECRET_CRM,
    ...extraEnv,
  };
  const proc = procs.start(name, binary, [], { cwd: ROOT, env });
  await waitHttp(proc, port, '/health/ready', 60_000);
  return proc;
}

function performanceNow() {
  return require('node:perf_hooks').performance.now();
}

module.exports = { startIngress, startLeadAgent, startReferenceServer, startGoPeer, getStatus, ROOT };
