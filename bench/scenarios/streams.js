'use strict';
/**
 * Scenario 6: the lead agent's work done by a Kafka Streams app with processing.guarantee=exactly_once_v2
 * (bench/peers/streams, Java), on the same backlog as scenario 4: N leads.created records on a fresh prefix,
 * drained by ONE JVM (one stream thread unless BENCH_STREAMS_THREADS says otherwise). Measured exactly as
 * scenario 4 measures the lead agent: the Streams app's committed input offsets (its consumer group is its
 * application.id; under exactly_once_v2 they commit inside its transactions) polled every 100 ms:
 *   drain rate = records committed after the first observed commit / time from that poll to lag 0;
 *   overall    = N / time from spawning the JVM to lag 0 (JVM start, join, store init included).
 * The report sets it beside scenario 4's lead-agent figure of the same run.
 *
 * The app is built with Maven (`mvn -o` first, online when the local repository lacks something) into
 * .cache/bench-streams/<hash of pom, source and Kafka version>/, so a second run does not rebuild. Without
 * java or mvn the scenario is skipped with a notice, not failed.
 *
 * Environment: BENCH_STREAMS_HEAP (512m), BENCH_STREAMS_THREADS (1), BENCH_STREAMS_CONFIG (extra
 * space-separated Streams settings, key=value).
 */
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const procs = require('../lib/procs');
const { committedSum, KAFKA_VERSION, ROOT } = require('../lib/kafka');
const { produceLeads } = require('../lib/leads');
const { log, sleep } = require('../lib/log');

const PEER = path.join(__dirname, '..', 'peers', 'streams');
const MAIN_CLASS = 'hookline.bench.LeadScoring';
const BUILD_TIMEOUT_MS = 10 * 60_000;

const settings = (quick) => (quick ? { records: 20_000, timeoutSec: 120 } : { records: 100_000, timeoutSec: 240 });
const rate = (n, ms) => (ms > 0 ? Math.round((n / ms) * 1000) : null);

/** First line of `cmd args` output, or undefined when it does not run. */
function toolVersion(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  // mvn -v colours its first line (ANSI escapes): drop them.
  const esc = String.fromCharCode(27);
  return `${r.stdout}${r.stderr}`.split(esc).join('').replace(/\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) || '?';
}

function peerSources() {
  const files = ['pom.xml'];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(PEER, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.java')) files.push(rel);
    }
  };
  walk('src');
  return files.sort();
}

/** Runs mvn as a tracked child (Ctrl-C stops it too); resolves with its exit code and output tail. */
async function mvn(args, cwd) {
  const proc = procs.start('mvn-streams', 'mvn', args, { cwd });
  const timer = setTimeout(() => void proc.stop(5000), BUILD_TIMEOUT_MS);
  const info = await proc.exited;
  clearTimeout(timer);
  return { ok: info.code === 0, tail: proc.tail.slice(-3000) };
}

/** Builds the peer once per (pom, source, Kafka version); returns its classpath. */
async function ensureBuilt() {
  const files = peerSources();
  const hash = crypto.createHash('sha256').update(KAFKA_VERSION);
  for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(path.join(PEER, f)));
  const dir = path.join(ROOT, '.cache', 'bench-streams', hash.digest('hex').slice(0, 16));
  const jar = path.join(dir, 'target', 'lead-scoring.jar');
  const classpath = `${jar}${path.delimiter}${path.join(dir, 'target', 'lib', '*')}`;
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done) && fs.existsSync(jar)) {
    log(`scenario 6: Streams app cached in ${path.relative(ROOT, dir)} (no rebuild)`);
    return { classpath, dir, built: false };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(PEER, f), path.join(dir, f));
  }
  const args = ['-B', '-q', `-Dkafka.version=${KAFKA_VERSION}`, 'package'];
  const t0 = Date.now();
  log(`scenario 6: building the Streams app with Maven in ${path.relative(ROOT, dir)} (offline first)`);
  let r = await mvn(['-o', ...args], dir);
  if (!r.ok) {
    log('scenario 6: the local Maven repository lacks something; building online (Maven Central)');
    r = await mvn(args, dir);
  }
  if (!r.ok || !fs.existsSync(jar)) throw new Error(`Maven could not build bench/peers/streams:\n${r.tail}`);
  fs.writeFileSync(done, new Date().toISOString());
  log(`scenario 6: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { classpath, dir, built: true, buildMs: Date.now() - t0 };
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const java = toolVersion('java', ['-version']);
  const maven = toolVersion('mvn', ['-v']);
  if (!java || !maven) {
    const skipped = `${!java ? 'java' : 'mvn'} not found: the Kafka Streams peer needs Java 17+ and Maven; scenario skipped`;
    log(`scenario 6: NOTICE: ${skipped}`);
    return { skipped, settings: s };
  }
  const build = await ensureBuilt();

  const prefix = `${ctx.runTag}-s6.`;
  const { common } = ctx;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    // The registry's topics under the prefix (leads.created, leads.qualified, leads.disqualified, ...), as
    // the apps provision them; Streams creates its own changelog topics.
    await common.ensureTopics(admin, common.topicSpecs(), prefix);
  } finally {
    await admin.disconnect();
  }
  const topic = await produceLeads(ctx, prefix, `${ctx.runTag}-6`, s.records);

  const applicationId = `${prefix}streams-lead-agent`;
  const stateDir = path.join(ROOT, '.data', `bench-streams-${ctx.broker.port || 'external'}`);
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(stateDir, { recursive: true });
  const heap = process.env.BENCH_STREAMS_HEAP || '512m';
  const threads = process.env.BENCH_STREAMS_THREADS || '1';
  const extra = (process.env.BENCH_STREAMS_CONFIG || '').split(/\s+/).filter(Boolean);
  const jvmArgs = [`-Xms${heap}`, `-Xmx${heap}`, '-Djava.awt.headless=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];
  const appArgs = [ctx.broker.brokers.join(','), prefix, applicationId, stateDir, `num.stream.threads=${threads}`, ...extra];

  const proc = procs.start('streams-lead-scoring', 'java', [...jvmArgs, '-cp', build.classpath, MAIN_CLASS, ...appArgs], { cwd: ROOT });
  const t0 = performance.now();
  let runningAt;
  const configLine = proc.waitForLine(/"msg":"config"/, 60_000, 'config line');
  configLine.catch(() => undefined);
  void proc
    .waitForLine(/"state":"RUNNING"/, s.timeoutSec * 1000, 'RUNNING')
    .then(() => (runningAt = performance.now()))
    .catch(() => undefined);

  const group = applicationId;
  let first;
  let last = { t: t0, n: 0 };
  let stopped;
  const monitor = ctx.kafka.admin();
  await monitor.connect();
  try {
    const deadline = t0 + s.timeoutSec * 1000;
    while (performance.now() < deadline) {
      if (proc.exitInfo) throw new Error(`the Streams app exited (${proc.exitInfo.signal || proc.exitInfo.code}):\n${proc.tail.slice(-2000)}`);
      const n = await committedSum(monitor, group, topic);
      const t = performance.now();
      if (n > 0 && !first) first = { t, n };
      last = { t, n };
      if (n >= s.records) break;
      await sleep(100);
    }
  } finally {
    // Its shutdown hook prints its counters and thread metrics, then closes Streams.
    const stoppedLine = proc.waitForLine(/"msg":"stopped"/, 20_000, 'stopped line');
    stoppedLine.catch(() => undefined);
    await proc.stop(15_000);
    stopped = await stoppedLine.then((x) => x.json).catch(() => undefined);
    await monitor.disconnect();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const config = await configLine.then((x) => x.json).catch(() => undefined);
  const complete = last.n >= s.records;
  const streams = {
    records: s.records,
    committed: last.n,
    complete,
    spawnToRunningMs: runningAt ? Math.round(runningAt - t0) : null,
    spawnToFirstCommitMs: first ? Math.round(first.t - t0) : null,
    firstCommitToLagZeroMs: first ? Math.round(last.t - first.t) : null,
    eventsPerSec: first ? rate(last.n - first.n, last.t - first.t) : null,
    eventsPerSecFromSpawn: rate(last.n, last.t - t0),
    counters: stopped ? { processed: stopped.processed, duplicates: stopped.duplicates, invalid: stopped.invalid, qualified: stopped.qualified, disqualified: stopped.disqualified } : null,
    threadMetrics: stopped ? stopped.metrics : null,
  };
  log(`scenario 6: Kafka Streams exactly_once_v2 ${complete ? 'drained' : 'did NOT drain'} ${last.n}/${s.records}: ${streams.eventsPerSec} events/s (first commit to lag 0), ${streams.eventsPerSecFromSpawn}/s from spawn`);
  const agent = ctx.scenarioResults && ctx.scenarioResults.agent && !ctx.scenarioResults.agent.error ? ctx.scenarioResults.agent.agent : undefined;
  if (agent && agent.eventsPerSec && streams.eventsPerSec) log(`scenario 6: lead agent / Kafka Streams exactly_once_v2 = ${(agent.eventsPerSec / streams.eventsPerSec).toFixed(3)}x (${agent.eventsPerSec} vs ${streams.eventsPerSec} events/s)`);
  return {
    settings: { ...s, heap, threads: Number(threads), extraConfig: extra },
    streams,
    app: {
      applicationId,
      kafkaClients: config ? config.kafkaClients : null,
      java,
      jvmArgs,
      given: config ? config.given : null,
      effective: config ? config.effective : null,
      build: { cacheDir: path.relative(ROOT, build.dir), built: build.built, buildMs: build.buildMs ?? null },
    },
  };
}

module.exports = { run };
