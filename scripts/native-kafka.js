'use strict';
/**
 * Runs a real Apache Kafka broker (KRaft) without Docker: one node, or with KAFKA_NODES=3 a three-node
 * cluster on one host (brokers on KAFKA_PORT, +2, +4, each a combined broker + controller whose controller
 * listens on its broker port + 1, a three-voter controller quorum, replication factor 3 and
 * min.insync.replicas=2 for the internal topics). One node is two processes: the broker on KAFKA_PORT and
 * its KRaft controller on KAFKA_PORT + 1, so that the controller outlives a broker stop or crash (see
 * writeConfig for why). The jars come from Maven Central once, into .cache/kafka/<version>; a single node's
 * data lives in .data/kafka-<port> (the controller's in its controller/ directory), a cluster's in
 * .data/kafka-cluster-<port>/node-<id>. Used by `npm run kafka:start|stop|status`, by `npm run stack`, by
 * Jest's global setup and the fault tests.
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

/**
 * Where a node keeps its files. A single node: .data/kafka-<port>. Node `node` (1-based) of a cluster whose
 * first broker listens on `port`: .data/kafka-cluster-<port>/node-<node>.
 */
function paths(port, node) {
  const cache = path.join(ROOT, '.cache', 'kafka', KAFKA_VERSION);
  const data = node ? path.join(ROOT, '.data', `kafka-cluster-${port}`, `node-${node}`) : path.join(ROOT, '.data', `kafka-${port}`);
  const controller = path.join(data, 'controller');
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
    /** Written once the controller has fenced the stopped broker: its next start needs no wait. */
    fencedFile: path.join(data, 'broker.fenced'),
    // A single node's controller, a process of its own.
    controller: node
      ? undefined
      : {
          data: controller,
          logDir: path.join(controller, 'logs'),
          pidFile: path.join(controller, 'controller.pid'),
          config: path.join(controller, 'server.properties'),
          log4j: path.join(controller, 'log4j2.properties'),
          log: path.join(controller, 'controller.log'),
        },
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

/** The broker id of a single node's broker, and the node id of its controller. */
const SINGLE_BROKER_ID = 1;
const SINGLE_CONTROLLER_ID = 2;
/**
 * A single node's broker session: the controller fences a broker it has not heard from for this long. A
 * stop waits for that fence before it stops the controller (see stopSingle()).
 */
const SINGLE_SESSION_MS = 6000;

/** A node's log4j2 configuration: Kafka's own log in `p.log`. */
function writeLog4j(p) {
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

/**
 * The node's server.properties (and a single node's controller's). `cluster` (absent for a single node):
 * { ports, node } with the broker ports of every node and this node's 1-based id.
 *
 * Why a single node is a broker and a controller in two processes: Kafka's transaction coordinator takes a
 * partition without a leader for a deleted one and skips its commit markers (KAFKA-5202, "Couldn't find
 * leader endpoint ... these partitions are likely deleted already and hence can be skipped"); the partition
 * then keeps the transaction open for good, and read_committed readers (agents, their restore) never read
 * past it. With one broker, every partition is without a leader (1) during a controlled shutdown, which has
 * no other broker to hand leadership to: so the broker stops without one; and (2), with broker and
 * controller in one process, after a restart from a stop the controller did not record: the restarted
 * controller still holds the old broker registration, the broker serves at once, and the controller fences
 * the old registration once its session expires, while the coordinator writes the markers of the
 * transactions it has just loaded. Both left agents' partitions stuck in broker-faults, in 5 of 35 runs
 * (three at a time). So the controller is a process of its own that sees every stop (or crash) of the
 * broker and fences it while it is down; stopSingle() waits for that fence before it stops the controller
 * too, and startSingle() waits for it after a crash. A cluster hands leadership to a live replica
 * instead, and the markers follow it.
 */
function writeConfig(p, port, cluster) {
  const controllerPort = port + 1;
  const nodes = cluster ? cluster.ports.length : 1;
  // Internal topics (offsets, transaction state) are replicated like project topics: with one replica a
  // lost broker takes the transaction coordinator's state with it and exactly-once with it.
  const rf = nodes >= 3 ? 3 : 1;
  const minIsr = nodes >= 3 ? 2 : 1;
  const voters = cluster
    ? cluster.ports.map((bp, i) => `${i + 1}@127.0.0.1:${bp + 1}`).join(',')
    : `${SINGLE_CONTROLLER_ID}@127.0.0.1:${controllerPort}`;
  // Topic defaults: the controller applies them to topics created without them, the broker to its own.
  const topics = [
    'num.partitions=1',
    `offsets.topic.replication.factor=${rf}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=10',
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${minIsr}`,
    // Topics are provisioned by the apps (ensureTopics); a typo must not create a topic.
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
  ];
  fs.mkdirSync(p.logDir, { recursive: true });
  fs.writeFileSync(
    p.config,
    [
      cluster ? 'process.roles=broker,controller' : 'process.roles=broker',
      `node.id=${cluster ? cluster.node : SINGLE_BROKER_ID}`,
      `controller.quorum.voters=${voters}`,
      cluster ? `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}` : `listeners=PLAINTEXT://127.0.0.1:${port}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${p.logDir}`,
      ...topics,
      'group.initial.rebalance.delay.ms=0',
      // KIP-890's transaction verification stays on (Kafka's default): it keeps a produce that arrives after
      // its transaction ended from opening a transaction no coordinator knows of.
      // A cluster on one host: a stopped node is noticed within seconds, not the default 9 s + 18 s. One
      // node: no controlled shutdown (it would leave every partition without a leader; see above).
      ...(cluster
        ? ['broker.session.timeout.ms=6000', 'broker.heartbeat.interval.ms=1000']
        : ['controlled.shutdown.enable=false', 'broker.heartbeat.interval.ms=1000']),
      '',
    ].join('\n'),
  );
  writeLog4j(p);
  if (cluster) return;
  const c = p.controller;
  fs.mkdirSync(c.logDir, { recursive: true });
  fs.writeFileSync(
    c.config,
    [
      'process.roles=controller',
      `node.id=${SINGLE_CONTROLLER_ID}`,
      `controller.quorum.voters=${voters}`,
      `listeners=CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT',
      `log.dirs=${c.logDir}`,
      ...topics,
      `broker.session.timeout.ms=${SINGLE_SESSION_MS}`,
      '',
    ].join('\n'),
  );
  writeLog4j(c);
}

function java(libs, args, opts = {}) {
  return spawnSync('java', ['-cp', `${libs}/*`, ...args], { encoding: 'utf8', ...opts });
}

function formatStorage(p, libs, clusterId = newClusterId()) {
  if (fs.existsSync(path.join(p.logDir, 'meta.properties'))) return;
  const r = java(libs, [`-Dlog4j2.configurationFile=${p.log4j}`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', p.config]);
  if (r.status !== 0) throw new BrokerError(`could not format Kafka storage:\n${r.stdout}${r.stderr}`);
}

/** A cluster id is 16 random bytes in URL-safe base64 without padding (22 characters). */
function newClusterId() {
  return require('node:crypto').randomBytes(16).toString('base64url');
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

/** True once the broker answers a metadata request naming at least `brokers` brokers. */
async function answersMetadata(port, timeoutMs, brokers = 1) {
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
      if (cluster.brokers.length >= brokers && cluster.controller !== null && cluster.controller >= 0) return true;
    } catch {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Broker ports of a cluster of `nodes` whose first broker listens on `port`: port, port+2, port+4, ... */
function clusterPorts(port = DEFAULT_PORT, nodes = 1) {
  return Array.from({ length: nodes }, (_, i) => port + 2 * i);
}

/** The nodes `port`/`nodes` describe: [{ port, node, p }] (node undefined for a single node). */
function nodesOf(port, nodes) {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new BrokerError(`KAFKA_NODES must be a whole number from 1 to 9, got ${nodes}`);
  if (nodes === 1) return [{ port, node: undefined, p: paths(port) }];
  return clusterPorts(port, nodes).map((bp, i) => ({ port: bp, node: i + 1, p: paths(port, i + 1) }));
}

/** Throws when the broker's port (`broker`) or its KRaft controller's (`controller`: port + 1) is taken. */
async function checkPortsFree(port, { broker = true, controller = true } = {}) {
  if (broker && (await portOpen(port))) {
    throw new BrokerError(
      `port ${port} is taken by another process. Stop it, set KAFKA_PORT to another port, or set KAFKA_BROKERS to use that cluster.`,
    );
  }
  if (controller && (await portOpen(port + 1))) {
    throw new BrokerError(
      `port ${port + 1} (the broker's KRaft controller listener, broker port + 1) is taken by another process. Stop it or set KAFKA_PORT to another port.`,
    );
  }
}

/** Launches one node's JVM (detached; its pid in the node's broker.pid) and returns the child. */
function launch(libs, p, heap) {
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
  fs.closeSync(out);
  fs.writeFileSync(p.pidFile, String(child.pid));
  const state = { exited: false };
  child.once('exit', () => (state.exited = true));
  return { child, state };
}

/** The cluster id every node of a cluster is formatted with, kept beside the nodes' directories. */
function clusterIdFor(port) {
  const file = path.join(ROOT, '.data', `kafka-cluster-${port}`, 'cluster.id');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const id = newClusterId();
  fs.writeFileSync(file, id);
  return id;
}

/**
 * Starts the broker on 127.0.0.1:<port> unless it already runs; with `nodes` > 1 every node of that
 * cluster that does not run yet (or only node `only`, 1-based, for a restart). Resolves once each started
 * node answers metadata requests naming all `nodes` brokers. Returns { started, port, pid, log, nodes: [...] }.
 */
async function start({ port = DEFAULT_PORT, nodes = 1, only, heap = process.env.KAFKA_HEAP || (nodes > 1 ? '384m' : '512m') } = {}) {
  if (nodes === 1) return startSingle(port, heap);
  const all = nodesOf(port, nodes).filter((n) => only === undefined || n.node === only);
  const result = [];
  const launched = [];
  for (const n of all) {
    const running = readPid(n.p);
    if (running) {
      result.push({ started: false, port: n.port, node: n.node, pid: running, log: n.p.log });
      continue;
    }
    await checkPortsFree(n.port);
  }
  const toStart = all.filter((n) => !readPid(n.p));
  if (toStart.length > 0) {
    checkJava();
    const libs = ensureDistribution();
    const clusterId = nodes > 1 ? clusterIdFor(port) : undefined;
    for (const n of toStart) {
      writeConfig(n.p, n.port, nodes > 1 ? { ports: clusterPorts(port, nodes), node: n.node } : undefined);
      formatStorage(n.p, libs, clusterId);
    }
    // Every node at once: a node of a cluster waits for a quorum of controllers before it answers.
    for (const n of toStart) launched.push({ n, ...launch(libs, n.p, heap) });
  }
  const deadline = Date.now() + READY_TIMEOUT_MS * (nodes > 1 ? 2 : 1);
  for (const l of launched) {
    let ready = false;
    while (Date.now() < deadline && !l.state.exited && !ready) ready = await answersMetadata(l.n.port, 1000, nodes);
    if (!ready) {
      for (const x of launched) await stopNode(x.n.p, { graceMs: 5000 }).catch(() => undefined);
      throw new BrokerError(
        `broker did not become ready on 127.0.0.1:${l.n.port}${nodes > 1 ? ` (node ${l.n.node} of ${nodes})` : ''}; ` +
          `see ${l.n.p.log} and ${path.join(l.n.p.data, 'stdout.log')}`,
      );
    }
    result.push({ started: true, port: l.n.port, node: l.n.node, pid: l.child.pid, log: l.n.p.log });
  }
  // Nodes that already ran: they must still answer (a frozen or broken one is an error, not "ready").
  for (const r of result.filter((x) => !x.started)) {
    if (!(await answersMetadata(r.port, READY_TIMEOUT_MS, nodes))) {
      throw new BrokerError(`broker pid ${r.pid} runs but does not answer on 127.0.0.1:${r.port}; see ${r.log}`);
    }
  }
  result.sort((a, b) => a.port - b.port);
  const first = result[0];
  return { started: result.some((r) => r.started), port: first.port, pid: first.pid, log: first.log, nodes: result };
}

/** Where the controller's log ends now: fences are looked for after it. */
function logEnd(c) {
  try {
    return fs.statSync(c.log).size;
  } catch {
    return 0;
  }
}

/** Whether the controller's log, after byte `from`, says it fenced a broker whose session expired. */
function fencedSince(c, from) {
  let fd;
  try {
    fd = fs.openSync(c.log, 'r');
    const size = fs.fstatSync(fd).size;
    if (size <= from) return false;
    const tail = Buffer.allocUnsafe(size - from);
    fs.readSync(fd, tail, 0, tail.length, from);
    return /Fencing broker \d+ at epoch \d+ because its session has timed out/.test(tail.toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Resolves true once the controller's log, after byte `from`, shows a fence; false after `timeoutMs`. */
async function fenced(c, from, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fencedSince(c, from)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** The cluster id a single node's storage was formatted with, if any. */
function formattedClusterId(p) {
  try {
    const m = /^cluster\.id=(.+)$/m.exec(fs.readFileSync(path.join(p.logDir, 'meta.properties'), 'utf8'));
    return m ? m[1].trim() : undefined;
  } catch {
    return undefined;
  }
}

/** How long a start or a stop waits for the controller to fence the broker: a session, activation and a margin. */
const FENCE_WAIT_MS = SINGLE_SESSION_MS + 15_000;

/**
 * A single node: its controller (a process of its own, on port + 1), then its broker. Unless the broker's
 * storage is new, or the last stop saw the controller fence the broker (the broker.fenced marker), the
 * controller may still hold a registration of a broker that went away without that: the broker starts
 * only once the controller has fenced it, so that no partition loses its leader while the new broker's
 * transaction coordinator writes markers.
 */
async function startSingle(port, heap) {
  const p = paths(port);
  const c = p.controller;
  const brokerPid = readPid(p);
  const controllerPid = readPid(c);
  await checkPortsFree(port, { broker: !brokerPid, controller: !controllerPid });
  const answering = async (pid) => {
    if (!(await answersMetadata(port, READY_TIMEOUT_MS))) throw new BrokerError(`broker pid ${pid} runs but does not answer on 127.0.0.1:${port}; see ${p.log}`);
    return { started: false, port, pid, log: p.log, nodes: [{ started: false, port, pid, log: p.log }] };
  };
  if (brokerPid && controllerPid) return answering(brokerPid);
  checkJava();
  const libs = ensureDistribution();
  const fresh = !formattedClusterId(p);
  if (!fresh && !formattedClusterId(c)) {
    throw new BrokerError(
      `${p.data} holds a broker without its controller's data (from before the controller had a process of its own?). ` +
        `Remove it (its topics and offsets go with it) with: KAFKA_PORT=${port} node scripts/native-kafka.js wipe`,
    );
  }
  writeConfig(p, port);
  const clusterId = formattedClusterId(c) ?? newClusterId();
  formatStorage(c, libs, clusterId);
  formatStorage(p, libs, clusterId);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const logFrom = logEnd(c);
  if (!controllerPid) {
    const ctl = launch(libs, c, '256m');
    while (!(await portOpen(port + 1))) {
      if (ctl.state.exited || Date.now() > deadline) {
        await stopNode(c, { graceMs: 5000 }).catch(() => undefined);
        throw new BrokerError(`the KRaft controller did not start on 127.0.0.1:${port + 1}; see ${c.log} and ${path.join(c.data, 'stdout.log')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The broker runs on (its controller had gone): it registers with the new controller by itself.
  if (brokerPid) return answering(brokerPid);
  if (!fresh && !fs.existsSync(p.fencedFile) && !(await fenced(c, logFrom, FENCE_WAIT_MS))) {
    process.stderr.write(`[kafka] the controller did not fence the broker's previous registration within ${FENCE_WAIT_MS / 1000} s (it may have done so earlier); starting the broker\n`);
  }
  fs.rmSync(p.fencedFile, { force: true });
  // The broker's copy of the metadata log is only a cache of the controller's. Kept, it ends where the
  // broker stopped, before the controller fenced it, and a restarted broker acts on it at once: it leads
  // every partition, its transaction coordinator writes markers, then it reads the fence and every
  // partition loses its leader (and the markers are skipped) until it registers again. Without it, the
  // broker starts from the controller's metadata, fence included.
  fs.rmSync(path.join(p.logDir, '__cluster_metadata-0'), { recursive: true, force: true });
  const b = launch(libs, p, heap);
  let ready = false;
  while (Date.now() < deadline && !b.state.exited && !ready) ready = await answersMetadata(port, 1000);
  if (!ready) {
    await stopSingle(port, { graceMs: 5000 }).catch(() => undefined);
    throw new BrokerError(`broker did not become ready on 127.0.0.1:${port}; see ${p.log} and ${path.join(p.data, 'stdout.log')}`);
  }
  return { started: true, port, pid: b.child.pid, log: p.log, nodes: [{ started: true, port, pid: b.child.pid, log: p.log }] };
}

/**
 * Stops a single node's broker (with `signal`, SIGKILL after `graceMs`; no controlled shutdown), waits until
 * its controller has fenced it (it then knows the broker is gone, and a restarted controller holds no live
 * registration of it: the broker.fenced marker says so to the next start), then stops the controller.
 * Resolves whether anything ran.
 */
async function stopSingle(port, { graceMs = 30_000, signal = 'SIGTERM' } = {}) {
  const p = paths(port);
  const c = p.controller;
  const logFrom = logEnd(c);
  // A pid file left by a broker that died by itself counts too: the controller may not have fenced it yet.
  const hadBroker = fs.existsSync(p.pidFile);
  const brokerRan = await stopNode(p, { graceMs, signal });
  const controllerRan = Boolean(readPid(c));
  if (controllerRan) {
    if (hadBroker) {
      if (await fenced(c, logFrom, FENCE_WAIT_MS)) fs.writeFileSync(p.fencedFile, new Date().toISOString());
      else process.stderr.write(`[kafka] the controller did not fence the stopped broker within ${FENCE_WAIT_MS / 1000} s; the next start waits for it\n`);
    }
    await stopNode(c, { graceMs: 30_000 });
  }
  return brokerRan || controllerRan;
}

async function stopNode(p, { graceMs = 30_000, signal = 'SIGTERM' } = {}) {
  const pid = readPid(p);
  if (!pid) {
    fs.rmSync(p.pidFile, { force: true });
    return false;
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
  return true;
}

/**
 * Stops the broker cleanly (SIGTERM, then SIGKILL after the grace period); with `nodes` > 1 every node of
 * the cluster (or node `only`), all at once.
 */
async function stop({ port = DEFAULT_PORT, nodes = 1, only, graceMs = 30_000, signal = 'SIGTERM' } = {}) {
  if (nodes === 1) {
    const stopped = await stopSingle(port, { graceMs, signal });
    return { stopped, port, nodes: [{ port, node: undefined, stopped }] };
  }
  const all = nodesOf(port, nodes).filter((n) => only === undefined || n.node === only);
  const stopped = await Promise.all(all.map((n) => stopNode(n.p, { graceMs, signal })));
  return { stopped: stopped.some(Boolean), port, nodes: all.map((n, i) => ({ port: n.port, node: n.node, stopped: stopped[i] })) };
}

/** Deletes the data (topics, offsets, transactions) of the broker or of every node of the cluster. It must be stopped. */
function wipe({ port = DEFAULT_PORT, nodes = 1 } = {}) {
  const all = nodesOf(port, nodes);
  for (const n of all) if (readPid(n.p)) throw new BrokerError(`broker on ${n.port} is running; stop it first`);
  if (nodes === 1 && readPid(all[0].p.controller)) throw new BrokerError(`the controller on ${port + 1} is running; stop it first`);
  if (nodes === 1) fs.rmSync(all[0].p.data, { recursive: true, force: true });
  else fs.rmSync(path.join(ROOT, '.data', `kafka-cluster-${port}`), { recursive: true, force: true });
}

/** Per node: its pid, whether it answers, its log. A single node's status is that node's. */
async function status({ port = DEFAULT_PORT, nodes = 1 } = {}) {
  const each = await Promise.all(
    nodesOf(port, nodes).map(async (n) => {
      const pid = readPid(n.p);
      return { node: n.node, port: n.port, controllerPort: n.port + 1, running: Boolean(pid), pid, answers: pid ? await answersMetadata(n.port, 2000) : false, log: n.p.log };
    }),
  );
  if (nodes === 1) {
    const { running, pid, answers, log } = each[0];
    const c = paths(port).controller;
    return { running, pid, port, log, answers, controller: { port: port + 1, pid: readPid(c), log: c.log } };
  }
  return { nodes: each, running: each.filter((n) => n.running).length, answering: each.filter((n) => n.answers).length, brokers: each.map((n) => `127.0.0.1:${n.port}`).join(',') };
}

/** Pid of node `node` (1-based) of the cluster on `port`, or of the single broker when `node` is absent. */
function pidOf({ port = DEFAULT_PORT, node } = {}) {
  return readPid(paths(port, node));
}

module.exports = { start, stop, status, wipe, pidOf, clusterPorts, ensureDistribution, paths, BrokerError, DEFAULT_PORT, KAFKA_VERSION };

if (require.main === module) {
  const cmd = process.argv[2];
  const port = Number(process.env.KAFKA_PORT || DEFAULT_PORT);
  const nodes = Number(process.env.KAFKA_NODES || 1);
  const t0 = Date.now();
  const where = () => (nodes === 1 ? `127.0.0.1:${port}` : clusterPorts(port, nodes).map((p) => `127.0.0.1:${p}`).join(','));
  const run = {
    start: async () => {
      const r = await start({ port, nodes });
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (nodes === 1) {
        console.log(
          r.started
            ? `[kafka] Apache Kafka ${KAFKA_VERSION} ready on 127.0.0.1:${port} in ${secs}s (pid ${r.pid}; its KRaft controller on 127.0.0.1:${port + 1}); log: ${r.log}`
            : `[kafka] already running on 127.0.0.1:${port} (pid ${r.pid}); log: ${r.log}`,
        );
        return;
      }
      for (const n of r.nodes) {
        console.log(`[kafka] node ${n.node}: ${n.started ? 'started' : 'already running'} on 127.0.0.1:${n.port} (controller ${n.port + 1}, pid ${n.pid}); log: ${n.log}`);
      }
      console.log(`[kafka] ${nodes}-node Apache Kafka ${KAFKA_VERSION} cluster ready in ${secs}s; KAFKA_BROKERS=${where()}`);
    },
    stop: async () => {
      const r = await stop({ port, nodes });
      console.log(r.stopped ? `[kafka] stopped ${nodes === 1 ? 'broker' : `${nodes}-node cluster`} on ${where()}` : `[kafka] no broker running on ${where()}`);
    },
    status: async () => console.log(JSON.stringify(await status({ port, nodes }), null, nodes === 1 ? undefined : 2)),
    wipe: async () => (wipe({ port, nodes }), console.log(`[kafka] removed data of ${nodes === 1 ? 'broker' : 'cluster'} on ${where()}`)),
    fetch: async () => console.log(`[kafka] jars in ${ensureDistribution()}`),
  }[cmd];
  if (!run) {
    console.error('usage: node scripts/native-kafka.js start|stop|status|wipe|fetch  (KAFKA_PORT, KAFKA_NODES, KAFKA_VERSION, KAFKA_HEAP)');
    process.exit(2);
  }
  run().catch((e) => {
    console.error(`[kafka] ${e instanceof BrokerError ? e.message : e.stack || e}`);
    process.exit(1);
  });
}
