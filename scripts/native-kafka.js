'use strict';
/**
 * Runs a real single-node Apache Kafka broker (KRaft, combined broker + controller) without Docker.
 * The broker's jars come from Maven Central once, into .cache/kafka/<version>; the data lives in
 * .data/kafka-<port>. Used by `npm run kafka:start|stop|status`, by `npm run stack` and by Jest's
 * global setup.
 */
require('./require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const KAFKA_VERSION = process.env.KAFKA_VERSION || '4.4.0';
const LOG4J_VERSION = '2.24.3';
const DEFAULT_PORT = 9092;
const READY_TIMEOUT_MS = Number(process.env.KAFKA_READY_TIMEOUT_MS || 90_000);

class BrokerError extends Error {}

function paths(port) {
  const cache = path.join(ROOT, '.cache', 'kafka', KAFKA_VERSION);
  const data = path.join(ROOT, '.data', `kafka-${port}`);
  return {
    cache,
    libs: path.join(cache, 'libs'),
    ready: path.join(cache, '.complete'),
    data,
    logDir: path.join(data, 'logs'),
    pidFile: path.join(data, 'broker.pid'),
    config: path.join(data, 'server.properties'),
    log4j: path.join(data, 'log4j2.properties'),
    log: path.join(data, 'broker.log'),
  };
}

function requireTool(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new BrokerError(
      `${cmd} was not found or did not run. The native Kafka broker needs ${what}. ` +
        `On Debian/Ubuntu: apt-get install ${cmd === 'mvn' ? 'maven' : 'openjdk-17-jre-headless'}. ` +
        'Alternatively run with Docker (docker compose up) or point KAFKA_BROKERS at an existing cluster.',
    );
  }
  return `${r.stdout}${r.stderr}`;
}

function checkJava() {
  const out = requireTool('java', ['-version'], 'Java 17 or newer');
  const m = /version "(\d+)(?:\.(\d+))?/.exec(out);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) throw new BrokerError(`Kafka ${KAFKA_VERSION} needs Java 17 or newer; found: ${out.split('\n')[0]}`);
}

/** Downloads the broker jars (and a log4j2 backend) with Maven, once. */
function ensureDistribution() {
  const p = paths(DEFAULT_PORT);
  if (fs.existsSync(p.ready)) return p.libs;
  requireTool('mvn', ['-v'], 'Maven (to fetch the broker from Maven Central)');
  fs.mkdirSync(p.cache, { recursive: true });
  const dep = (g, a, v) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  fs.writeFileSync(
    path.join(p.cache, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.hookline</groupId><artifactId>kafka-dist</artifactId><version>${KAFKA_VERSION}</version>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
    ${dep('org.apache.kafka', 'kafka-tools', KAFKA_VERSION)}
    ${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
    ${dep('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION)}
  </dependencies></project>\n`,
  );
  process.stderr.write(`[kafka] fetching Apache Kafka ${KAFKA_VERSION} from Maven Central into ${p.libs} (once)\n`);
  fs.rmSync(p.libs, { recursive: true, force: true });
  const r = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${p.libs}`], {
    cwd: p.cache,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new BrokerError(`Maven could not fetch Kafka ${KAFKA_VERSION}:\n${(r.stdout + r.stderr).slice(-2000)}`);
  }
  fs.writeFileSync(p.ready, new Date().toISOString());
  return p.libs;
}

function writeConfig(p, port) {
  const controllerPort = port + 1;
  fs.mkdirSync(p.logDir, { recursive: true });
  fs.writeFileSync(
    p.config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${p.logDir}`,
      'num.partitions=1',
      // One node: internal topics must not wait for replicas that will never exist.
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=10',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'group.initial.rebalance.delay.ms=0',
      // One broker: the extra AddPartitionsToTxn verification round trip on every transactional produce
      // (KIP-890) guards against replicas that do not exist here.
      'transaction.partition.verification.enable=false',
      // Topics are provisioned by the apps (ensureTopics); a typo must not create a topic.
      'auto.create.topics.enable=false',
      'log.retention.hours=168',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    p.log4j,
    [
      'status = warn',
      'appender.file.type = File',
      'appender.file.name = FILE',
      `appender.file.fileName = ${p.log}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = FILE',
      'logger.kafka.name = kafka',
      'logger.kafka.level = INFO',
      '',
    ].join('\n'),
  );
}

function java(libs, args, opts = {}) {
  return spawnSync('java', ['-cp', `${libs}/*`, ...args], { encoding: 'utf8', ...opts });
}

function formatStorage(p, libs) {
  if (fs.existsSync(path.join(p.logDir, 'meta.properties'))) return;
  // A cluster id is 16 random bytes in URL-safe base64 without padding (22 characters).
  const clusterId = require('node:crypto').randomBytes(16).toString('base64url');
  const r = java(libs, [`-Dlog4j2.configurationFile=${p.log4j}`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', p.config]);
  if (r.status !== 0) throw new BrokerError(`could not format Kafka storage:\n${r.stdout}${r.stderr}`);
}

function readPid(p) {
  try {
    const pid = Number(fs.readFileSync(p.pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** True once the broker answers a metadata request and its group coordinator is available. */
async function answersMetadata(port, timeoutMs) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: 'native-kafka-probe',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      if (cluster.brokers.length > 0) return true;
    } catch {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * Starts the broker on 127.0.0.1:<port> unless it already runs. Returns { started, port, log }.
 * Resolves only when the broker answers metadata requests.
 */
async function start({ port = DEFAULT_PORT, heap = process.env.KAFKA_HEAP || '512m' } = {}) {
  const p = paths(port);
  const running = readPid(p);
  if (running) {
    if (!(await answersMetadata(port, READY_TIMEOUT_MS))) {
      throw new BrokerError(`broker pid ${running} runs but does not answer on 127.0.0.1:${port}; see ${p.log}`);
    }
    return { started: false, port, pid: running, log: p.log };
  }
  if (await portOpen(port)) {
    throw new BrokerError(
      `port ${port} is taken by another process. Stop it, set KAFKA_PORT to another port, or set KAFKA_BROKERS to use that cluster.`,
    );
  }
  if (await portOpen(port + 1)) {
    throw new BrokerError(
      `port ${port + 1} (the broker's KRaft controller listener, broker port + 1) is taken by another process. Stop it or set KAFKA_PORT to another port.`,
    );
  }
  checkJava();
  const libs = ensureDistribution();
  writeConfig(p, port);
  formatStorage(p, libs);
  const out = fs.openSync(path.join(p.data, 'stdout.log'), 'a');
  const child = spawn(
    'java',
    [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${p.log4j}`,
      `-Dkafka.logs.dir=${p.data}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      p.config,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  fs.writeFileSync(p.pidFile, String(child.pid));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !exited) {
    if (await answersMetadata(port, 1000)) return { started: true, port, pid: child.pid, log: p.log };
  }
  await stop({ port }).catch(() => undefined);
  throw new BrokerError(`broker did not become ready on 127.0.0.1:${port}; see ${p.log} and ${path.join(p.data, 'stdout.log')}`);
}

/** Stops the broker cleanly (SIGTERM, then SIGKILL after the grace period). */
async function stop({ port = DEFAULT_PORT, graceMs = 30_000, signal = 'SIGTERM' } = {}) {
  const p = paths(port);
  const pid = readPid(p);
  if (!pid) {
    fs.rmSync(p.pidFile, { force: true });
    return { stopped: false, port };
  }
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  fs.rmSync(p.pidFile, { force: true });
  return { stopped: true, port };
}

/** Deletes the broker's data (topics, offsets, transactions). The broker must be stopped. */
function wipe({ port = DEFAULT_PORT } = {}) {
  const p = paths(port);
  if (readPid(p)) throw new BrokerError(`broker on ${port} is running; stop it first`);
  fs.rmSync(p.data, { recursive: true, force: true });
}

async function status({ port = DEFAULT_PORT } = {}) {
  const p = paths(port);
  const pid = readPid(p);
  return { running: Boolean(pid), pid, port, log: p.log, answers: pid ? await answersMetadata(port, 2000) : false };
}

module.exports = { start, stop, status, wipe, ensureDistribution, paths, BrokerError, DEFAULT_PORT, KAFKA_VERSION };

if (require.main === module) {
  const cmd = process.argv[2];
  const port = Number(process.env.KAFKA_PORT || DEFAULT_PORT);
  const t0 = Date.now();
  const run = {
    start: async () => {
      const r = await start({ port });
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(
        r.started
          ? `[kafka] Apache Kafka ${KAFKA_VERSION} ready on 127.0.0.1:${port} in ${secs}s (pid ${r.pid}); log: ${r.log}`
          : `[kafka] already running on 127.0.0.1:${port} (pid ${r.pid}); log: ${r.log}`,
      );
    },
    stop: async () => {
      const r = await stop({ port });
      console.log(r.stopped ? `[kafka] stopped broker on 127.0.0.1:${port}` : `[kafka] no broker running on ${port}`);
    },
    status: async () => console.log(JSON.stringify(await status({ port }))),
    wipe: async () => (wipe({ port }), console.log(`[kafka] removed data of broker on ${port}`)),
    fetch: async () => console.log(`[kafka] jars in ${ensureDistribution()}`),
  }[cmd];
  if (!run) {
    console.error('usage: node scripts/native-kafka.js start|stop|status|wipe|fetch  (KAFKA_PORT, KAFKA_VERSION, KAFKA_HEAP)');
    process.exit(2);
  }
  run().catch((e) => {
    console.error(`[kafka] ${e instanceof BrokerError ? e.message : e.stack || e}`);
    process.exit(1);
  });
}
