'use strict';
/**
 * Scenario 1: closed-loop throughput and latency of the real ingress at several concurrencies, side by side
 * with a bare Fastify route (HTTP ceiling), the naive one-send-per-request design, a Go peer with the same
 * CRM contract (net/http + franz-go, bench/peers/go-ingress; skipped when there is no Go toolchain), and
 * Kafka's own ProducerPerformance tool (broker ceiling). Every HTTP target gets the same load generator,
 * signed webhooks, warm-up and durations.
 */
const path = require('node:path');
const fs = require('node:fs');
const apps = require('../lib/apps');
const { buildGoPeer } = require('../lib/go-peer');
const procs = require('../lib/procs');
const { createTopics, kafkaLibs } = require('../lib/kafka');
const { summarize } = require('../lib/cpuprofile');
const { log } = require('../lib/log');
const { fetchMetrics, histogramMean } = require('../lib/metrics');

const AUTOCANNON = path.join(__dirname, '..', 'load', 'autocannon.js');

function settings(quick) {
  return quick
    ? { levels: [64], durationSec: 5, warmupSec: 2, perfRecords: 100_000, perfTimeoutSec: 45 }
    : { levels: [16, 64, 256], durationSec: 12, warmupSec: 3, perfRecords: 400_000, perfTimeoutSec: 90 };
}

async function autocannonRun(ctx, { port, connections, durationSec, tag }) {
  return procs.runNodeChild(
    'autocannon',
    AUTOCANNON,
    { port, connections, durationSec, tag, maxRequests: 60_000 * durationSec },
    { env: ctx.secrets, timeoutMs: (durationSec + 60) * 1000 },
  );
}

/** What the ingress's own metrics say about its produce requests over the whole run (warm-up included). */
async function ingressInternals(port) {
  const text = await fetchMetrics(port);
  const produce = histogramMean(text, 'hookline_ingress_produce_seconds');
  const batch = histogramMean(text, 'hookline_ingress_batch_records');
  return { produceRequests: produce.count, produceMeanMs: produce.mean === null ? null : Math.round(produce.mean * 100000) / 100, recordsPerProduce: batch.mean === null ? null : Math.round(batch.mean * 10) / 10 };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function measureTarget(ctx, s, target, totals) {
  log(`scenario 1: starting ${target.label}`);
  const proc = await target.start();
  const out = {};
  try {
    const tag = target.tag ?? target.key[0];
    const warm = await autocannonRun(ctx, { port: target.port, connections: 64, durationSec: s.warmupSec, tag: `${ctx.runTag}-1${tag}w` });
    let accepted = warm.accepted;
    const cpuAtStart = procs.treeCpuMs(proc.pid);
    const windowStartUs = monotonicUs();
    // The broker's CPU is only known for a broker this run started (not with KAFKA_BROKERS).
    const brokerCpuMs = () => (ctx.broker && !ctx.broker.external && ctx.broker.pid ? procs.treeCpuMs(ctx.broker.pid) : NaN);
    for (const c of s.levels) {
      const cpu0 = procs.treeCpuMs(proc.pid);
      const broker0 = brokerCpuMs();
      const r = await autocannonRun(ctx, { port: target.port, connections: c, durationSec: s.durationSec, tag: `${ctx.runTag}-1${tag}${c}` });
      // The server's CPU time (all its processes) over the run, per webhook it accepted; and the broker's,
      // which shares the cores: fewer, larger produce requests cost the broker less per record.
      const cpuMs = procs.treeCpuMs(proc.pid) - cpu0;
      const brokerMs = brokerCpuMs() - broker0;
      r.cpuMs = Math.round(cpuMs);
      r.cpuMsPerAccepted = r.accepted > 0 ? Math.round((cpuMs / r.accepted) * 10000) / 10000 : null;
      r.brokerCpuMsPerAccepted = r.accepted > 0 && Number.isFinite(brokerMs) ? Math.round((brokerMs / r.accepted) * 10000) / 10000 : null;
      accepted += r.accepted;
      delete r.histogram;
      out[c] = r;
      const l = r.latencyMs;
      log(`scenario 1: ${target.key} c=${c}: ${r.acceptedPerSec} accepted/s, non-2xx ${r.non2xx}, errors ${r.errors}, p50 ${l.p50} p99 ${l.p99} max ${l.max} ms, CPU ${r.cpuMsPerAccepted} ms per accepted (broker ${r.brokerCpuMsPerAccepted} ms)`);
    }
    // For the profile's CPU per webhook: the measured runs' window on the monotonic clock V8's profiler uses.
    totals[target.key] = { accepted: accepted - warm.accepted, cpuMs: Math.round(procs.treeCpuMs(proc.pid) - cpuAtStart), windowUs: [windowStartUs, monotonicUs()] };
    if (target.key === 'ingress') out.internals = await ingressInternals(ctx.ports.ingress);
  } finally {
    await proc.stop(15_000);
  }
  return out;
}

const PERF_LINE =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

async function brokerCeiling(ctx, s, topic) {
  const libs = kafkaLibs();
  const args = [
    '-Xmx512m',
    '-cp',
    `${libs}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(s.perfRecords),
    '--record-size',
    '1024',
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${ctx.broker.brokers.join(',')}`,
    'acks=all',
  ];
  log(`scenario 1: broker ceiling: ProducerPerformance, ${s.perfRecords} records of 1024 bytes, acks=all`);
  const proc = procs.start('producer-performance', 'java', args, {});
  const timer = setTimeout(() => void proc.stop(2000, 'SIGKILL'), s.perfTimeoutSec * 1000);
  const info = await proc.exited;
  clearTimeout(timer);
  const lines = proc.tail.split('\n').filter((l) => PERF_LINE.test(l));
  const m = lines.length > 0 ? PERF_LINE.exec(lines[lines.length - 1]) : null;
  if (!m) throw new Error(`ProducerPerformance gave no summary (exit ${info.signal || info.code}):\n${proc.tail.slice(-2000)}`);
  const r = {
    tool: 'org.apache.kafka.tools.ProducerPerformance',
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    latencyMs: { avg: Number(m[4]), max: Number(m[5]), p50: Number(m[6]), p95: Number(m[7]), p99: Number(m[8]), p999: Number(m[9]) },
    completed: info.code === 0,
  };
  log(`scenario 1: broker ceiling: ${r.recordsPerSec} records/s (${r.mbPerSec} MB/s), p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms`);
  return r;
}

const peak = (byLevel) => Math.max(0, ...Object.values(byLevel).map((r) => r.acceptedPerSec));
const ratio = (a, b) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** The Go peer's binary, or why it is not measured (no Go toolchain: a notice; a failed build: an error). */
function goPeerBuild() {
  try {
    const b = buildGoPeer();
    if (b.skipped) log(`scenario 1: NOTICE: the Go peer is skipped (not measured): ${b.skipped}`);
    return b;
  } catch (err) {
    log(`scenario 1: the Go peer is not measured: ${err.message}`);
    return { error: String(err.message).slice(0, 4000) };
  }
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const prefix = `${ctx.runTag}-s1.`;
  const naiveTopic = `${prefix}bench.naive`;
  const perfTopic = `${prefix}bench.perf`;
  // The Go peer's own leads.created (the ingress's entity partition count), so each target's records stay apart.
  const goTopic = `${ctx.runTag}-s1go.leads.created`;
  const goBuild = goPeerBuild(); // before any measurement: a first build (module download, compile) is not measured
  await createTopics(ctx.kafka, [naiveTopic, perfTopic, ...(goBuild.binary ? [goTopic] : [])], 6);
  const profileFile = ctx.profile ? path.join(ctx.resultsDir, 'ingress.cpuprofile') : undefined;
  if (profileFile) fs.rmSync(profileFile, { force: true });
  const targets = [
    { key: 'bare', label: 'bare Fastify (HTTP ceiling)', port: ctx.ports.bare, start: () => apps.startReferenceServer(ctx, { kind: 'bare-fastify', port: ctx.ports.bare }) },
    {
      key: 'naive',
      label: 'naive (HMAC + one kafkajs send per request)',
      port: ctx.ports.naive,
      start: () =>
        apps.startReferenceServer(ctx, {
          kind: 'naive',
          port: ctx.ports.naive,
          env: { ...ctx.secrets, KAFKA_BROKERS: ctx.broker.brokers.join(','), NAIVE_TOPIC: naiveTopic },
        }),
    },
    {
      key: 'ingress',
      label: 'real ingress',
      port: ctx.ports.ingress,
      start: () =>
        apps.startIngress(ctx, {
          port: ctx.ports.ingress,
          prefix,
          nodeArgs: profileFile ? ['-r', path.join(__dirname, '..', 'lib', 'cpuprofile.js')] : [],
          extraEnv: profileFile ? { BENCH_CPU_PROFILE: profileFile } : {},
        }),
    },
    {
      key: 'nokafka',
      tag: 'k',
      label: 'ingress without Kafka (producer acknowledging at once)',
      port: ctx.ports.noKafka,
      start: () => apps.startReferenceServer(ctx, { kind: 'ingress-no-kafka', port: ctx.ports.noKafka, env: { ...ctx.secrets, BENCH_DIST: ctx.dist } }),
    },
    {
      key: 'workers',
      tag: 'w',
      label: 'real ingress, 2 workers (INGRESS_WORKERS=2)',
      port: ctx.ports.ingressWorkers,
      start: () => apps.startIngress(ctx, { port: ctx.ports.ingressWorkers, prefix: `${ctx.runTag}-s1w.`, name: 'ingress-workers', extraEnv: { INGRESS_WORKERS: '2' } }),
    },
  ];
  if (goBuild.binary) {
    targets.push({
      key: 'go',
      label: 'Go peer (net/http + franz-go, acks=all)',
      port: ctx.ports.go,
      start: () => apps.startGoPeer(ctx, { binary: goBuild.binary, port: ctx.ports.go, topic: goTopic }),
    });
  }
  const http = {};
  const totals = {};
  const measured = ctx.targets ? targets.filter((t) => ctx.targets.includes(t.key)) : targets;
  for (const t of measured) http[t.key] = await measureTarget(ctx, s, t, totals);
  let profile;
  if (profileFile && fs.existsSync(profileFile) && totals.ingress) {
    // The profile's busy (not idle) samples over the measured runs, per accepted webhook. V8 samples on a
    // wall clock, so time the process waited for a core while busy counts too: on a shared machine this is
    // above the CPU time (the `cpuMsPerAccepted` of each level, from /proc).
    profile = summarize(profileFile, 25, totals.ingress.windowUs);
    profile.accepted = totals.ingress.accepted;
    profile.cpuMsPerAccepted = Math.round((profile.busyMs / totals.ingress.accepted) * 10000) / 10000;
    log(`scenario 1: profile: ${profile.busyMs} ms busy over ${totals.ingress.accepted} accepted = ${profile.cpuMsPerAccepted} ms per accepted webhook (windowed: ${profile.windowed})`);
  }
  const internals = http.ingress?.internals;
  if (http.ingress) delete http.ingress.internals;
  if (!http.ingress || !http.bare || !http.naive) {
    log('scenario 1: --targets left out the ingress, bare Fastify or naive: no ratios or broker ceiling');
    return { settings: s, partial: true, targets: Object.fromEntries(measured.map((t) => [t.key, t.label])), http, cpu: totals, profile, ingressInternals: internals };
  }
  const broker = await brokerCeiling(ctx, s, perfTopic);

  const ratios = {};
  for (const c of s.levels) {
    ratios[c] = {
      ingressOverBare: ratio(http.ingress[c].acceptedPerSec, http.bare[c].acceptedPerSec),
      ingressOverNaive: ratio(http.ingress[c].acceptedPerSec, http.naive[c].acceptedPerSec),
      ingressOverBroker: ratio(http.ingress[c].acceptedPerSec, broker.recordsPerSec),
      ingressOverGo: http.go ? ratio(http.ingress[c].acceptedPerSec, http.go[c].acceptedPerSec) : null,
      workersOverGo: http.go && http.workers ? ratio(http.workers[c].acceptedPerSec, http.go[c].acceptedPerSec) : null,
      workersOverIngress: http.workers ? ratio(http.workers[c].acceptedPerSec, http.ingress[c].acceptedPerSec) : null,
      noKafkaOverGo: http.go && http.nokafka ? ratio(http.nokafka[c].acceptedPerSec, http.go[c].acceptedPerSec) : null,
    };
  }
  const peaks = {
    bare: peak(http.bare),
    naive: peak(http.naive),
    ingress: peak(http.ingress),
    workers: http.workers ? peak(http.workers) : null,
    nokafka: http.nokafka ? peak(http.nokafka) : null,
    go: http.go ? peak(http.go) : null,
    broker: broker.recordsPerSec,
  };
  const result = {
    settings: s,
    targets: Object.fromEntries(measured.map((t) => [t.key, t.label])),
    http,
    broker,
    ingressInternals: internals,
    goPeer: goBuild.binary ? { go: goBuild.version, binary: path.basename(goBuild.binary), cachedBuild: goBuild.cached } : { skipped: goBuild.skipped, error: goBuild.error },
    ratios,
    peaks,
    peakRatios: {
      ingressOverBare: ratio(peaks.ingress, peaks.bare),
      ingressOverNaive: ratio(peaks.ingress, peaks.naive),
      ingressOverBroker: ratio(peaks.ingress, peaks.broker),
      ingressOverGo: http.go ? ratio(peaks.ingress, peaks.go) : null,
      workersOverBare: http.workers ? ratio(peaks.workers, peaks.bare) : null,
      workersOverNaive: http.workers ? ratio(peaks.workers, peaks.naive) : null,
      workersOverGo: http.go && http.workers ? ratio(peaks.workers, peaks.go) : null,
      noKafkaOverGo: http.go && http.nokafka ? ratio(peaks.nokafka, peaks.go) : null,
    },
  };
  result.cpu = totals;
  if (profile) result.profile = profile;
  return result;
}

module.exports = { run };
