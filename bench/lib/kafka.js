'use strict';
/**
 * The broker the benchmark uses: KAFKA_BROKERS when set (left as it is, but the run's topics are deleted
 * at the end), else a native Apache Kafka broker on its own port (BENCH_KAFKA_PORT, default 29092) with
 * its own data directory, started fresh and stopped and wiped at the end.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const native = require('../../scripts/native-kafka.js');
const { log } = require('./log');

const BENCH_PORT = Number(process.env.BENCH_KAFKA_PORT || 29092);

async function startBroker() {
  if (process.env.KAFKA_BROKERS) {
    const brokers = process.env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean);
    log(`using KAFKA_BROKERS=${brokers.join(',')} (not started or stopped by the benchmark)`);
    return { brokers, external: true, port: undefined, version: 'external cluster (KAFKA_BROKERS)' };
  }
  const st = await native.status({ port: BENCH_PORT });
  if (st.running || st.controller.pid) {
    // Our own port: a broker here is a leftover of an interrupted run.
    log(`a broker from an earlier run still runs on ${BENCH_PORT} (pid ${st.pid}); stopping and wiping it`);
    await native.stop({ port: BENCH_PORT });
  }
  native.wipe({ port: BENCH_PORT });
  const t0 = Date.now();
  log(`starting Apache Kafka ${native.KAFKA_VERSION} on 127.0.0.1:${BENCH_PORT} (data: .data/kafka-${BENCH_PORT})`);
  const r = await native.start({ port: BENCH_PORT });
  // The broker's CPU is measured on its own process; its KRaft controller is a second one (a single node's).
  const controllerPid = (await native.status({ port: BENCH_PORT })).controller.pid;
  log(`broker ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${r.pid}; controller pid ${controllerPid})`);
  return { brokers: [`127.0.0.1:${BENCH_PORT}`], external: false, port: BENCH_PORT, pid: r.pid, controllerPid, version: native.KAFKA_VERSION };
}

async function stopBroker(broker) {
  if (!broker || broker.external) return;
  log(`stopping the broker on ${broker.port} and wiping its data`);
  await native.stop({ port: broker.port });
  native.wipe({ port: broker.port });
}

/** Synchronous last resort (process 'exit'): kill the broker we started and drop its data. */
function killBrokerSync(broker) {
  if (!broker || broker.external) return;
  for (const pid of [broker.pid, broker.controllerPid]) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  try {
    native.wipe({ port: broker.port });
  } catch {
    /* still shutting down */
  }
}

function kafkaClient(brokers, clientId) {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 30000 });
}

/** Creates plain benchmark topics (not in the registry: bench.naive, bench.perf). */
async function createTopics(kafka, names, partitions) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic whose name starts with prefix (external clusters only: a native one is wiped). */
async function deleteTopicsWithPrefix(kafka, prefix) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sum of a group's committed offsets on a topic (0 where nothing is committed yet). A group coordinator
 * that is not ready yet for a fresh group (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ... right after
 * the group's first join on a loaded machine) is asked again for up to 5 s instead of failing the scenario.
 */
async function committedSum(admin, groupId, topic) {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return res.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } catch (err) {
      if (!err || !err.retriable || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function kafkaLibs() {
  return native.ensureDistribution();
}

function javaVersion() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return r.error ? 'not found' : `${r.stderr}${r.stdout}`.split('\n')[0].trim();
}

module.exports = {
  startBroker,
  stopBroker,
  killBrokerSync,
  kafkaClient,
  createTopics,
  deleteTopicsWithPrefix,
  committedSum,
  kafkaLibs,
  javaVersion,
  BENCH_PORT,
  KAFKA_VERSION: native.KAFKA_VERSION,
  ROOT: path.resolve(__dirname, '..', '..'),
};
