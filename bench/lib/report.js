'use strict';
/** Writes bench/results/latest.json and latest.md (goals first, then one table per scenario). */
const fs = require('node:fs');
const path = require('node:path');

const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : String(x));
const ms = (x) => fmt(x, 2);
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const status = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'missed');

/** Lead agent (scenario 4) / Kafka Streams (scenario 6) drain rates of the same run, or null. */
function streamsRatio(r) {
  const a = r.scenarios.agent;
  const k = r.scenarios.streams;
  if (!a || a.error || !k || k.error || k.skipped || !a.agent.eventsPerSec || !k.streams.eventsPerSec) return null;
  return Math.round((a.agent.eventsPerSec / k.streams.eventsPerSec) * 1000) / 1000;
}

/** The ingress's CPU time per accepted webhook at the concurrency where it accepted the most. */
function ingressCpu(s1) {
  const levels = Object.entries(s1.http.ingress || {}).filter(([, x]) => x.cpuMsPerAccepted !== null && x.cpuMsPerAccepted !== undefined);
  if (levels.length === 0) return null;
  const [connections, best] = levels.reduce((a, b) => (b[1].acceptedPerSec > a[1].acceptedPerSec ? b : a));
  return { connections, ms: best.cpuMsPerAccepted };
}

/**
 * The ingress hot-path goals, side by side: each ratio of one run, p99 at 2,000/s paced, CPU per accepted
 * webhook (the profile's busy samples with --profile, and the process CPU time), and the same ratios with
 * INGRESS_WORKERS=2.
 */
function hotPathGoals(r) {
  const s1 = r.scenarios.ingress;
  const s2 = r.scenarios.rate;
  if (!s1 || s1.error || s1.partial) return [];
  const out = [];
  const x = (v) => (v === null || v === undefined ? '–' : `${fmt(v, 3)}×`);
  const p = s1.peakRatios;
  const pk = s1.peaks;
  const go = p.ingressOverGo !== null && p.ingressOverGo !== undefined;
  out.push(['ingress / Go peer (peak accepted/s)', go ? `${x(p.ingressOverGo)} (${fmt(pk.ingress, 0)} vs ${fmt(pk.go, 0)}/s)` : 'Go peer not measured', '≥ 1.0×', go ? status(p.ingressOverGo >= 1) : 'n/a']);
  out.push(['ingress / naive design (peak)', `${x(p.ingressOverNaive)} (${fmt(pk.ingress, 0)} vs ${fmt(pk.naive, 0)}/s)`, '≥ 2×', status(p.ingressOverNaive >= 2)]);
  out.push(['ingress / bare Fastify (peak)', `${x(p.ingressOverBare)} (${fmt(pk.ingress, 0)} vs ${fmt(pk.bare, 0)}/s)`, '≥ 0.5×', status(p.ingressOverBare >= 0.5)]);
  const at2k = s2 && !s2.error ? s2.rows.find((row) => row.generator.startsWith('paced') && row.targetPerSec === 2000) : undefined;
  out.push(['ingress p99 at 2,000/s, paced open loop', at2k ? `${ms(at2k.latencyMs.p99)} ms (${at2k.held ? 'rate held' : `rate NOT held: ${fmt(at2k.achievedAcceptedPerSec, 0)}/s`})` : 'not run', '< 20 ms', at2k ? status(at2k.latencyMs.p99 < 20 && at2k.held) : 'n/a']);
  const cpu = ingressCpu(s1);
  const prof = s1.profile && s1.profile.cpuMsPerAccepted;
  const cpuText = [prof ? `${fmt(prof, 3)} ms (profile, busy samples over the measured runs)` : 'no profile (run with --profile)', cpu ? `${fmt(cpu.ms, 3)} ms (process CPU time at ${cpu.connections} connections)` : null].filter(Boolean).join('; ');
  out.push(['CPU per accepted webhook', cpuText, '≤ 0.12 ms', prof ? status(prof <= 0.12) : cpu ? status(cpu.ms <= 0.12) : 'n/a']);
  if (pk.workers) {
    const wgo = p.workersOverGo !== null && p.workersOverGo !== undefined;
    out.push(['2 workers (INGRESS_WORKERS=2) / Go peer (peak)', wgo ? `${x(p.workersOverGo)} (${fmt(pk.workers, 0)} vs ${fmt(pk.go, 0)}/s)` : '–', '≥ 1.0×', wgo ? status(p.workersOverGo >= 1) : 'n/a']);
    out.push(['2 workers / naive design (peak)', `${x(p.workersOverNaive)} (${fmt(pk.workers, 0)} vs ${fmt(pk.naive, 0)}/s)`, '≥ 2×', status(p.workersOverNaive >= 2)]);
    out.push(['2 workers / bare Fastify (peak)', `${x(p.workersOverBare)} (${fmt(pk.workers, 0)} vs ${fmt(pk.bare, 0)}/s)`, '≥ 0.5×', status(p.workersOverBare >= 0.5)]);
    const wcpu = Object.entries(s1.http.workers).reduce((a, b) => (b[1].acceptedPerSec > a[1].acceptedPerSec ? b : a));
    out.push(['2 workers: CPU per accepted webhook (both workers and the primary)', `${fmt(wcpu[1].cpuMsPerAccepted, 3)} ms (process CPU time at ${wcpu[0]} connections)`, '≤ 0.12 ms', status(wcpu[1].cpuMsPerAccepted <= 0.12)]);
  }
  return out;
}

function goals(r) {
  const s1 = r.scenarios.ingress;
  const s2 = r.scenarios.rate;
  const s3 = r.scenarios.e2e;
  const s4 = r.scenarios.agent;
  const s4b = r.scenarios.slow;
  const s7 = r.scenarios.poison;
  const s5 = r.scenarios.recovery;
  const s6 = r.scenarios.streams;
  const ok = (x) => x && !x.error;
  const out = [];
  if (ok(s1) && !s1.partial) {
    const b = s1.peakRatios.ingressOverBare;
    const n = s1.peakRatios.ingressOverNaive;
    const g = s1.peakRatios.ingressOverGo;
    out.push(['ingress / bare Fastify (peak accepted/s over the concurrencies run)', '≥ 0.5×', `${fmt(b, 3)}× (${fmt(s1.peaks.ingress, 0)} vs ${fmt(s1.peaks.bare, 0)}/s)`, status(b >= 0.5)]);
    out.push(['ingress / naive (peak accepted/s)', '≥ 2×', `${fmt(n, 3)}× (${fmt(s1.peaks.ingress, 0)} vs ${fmt(s1.peaks.naive, 0)}/s)`, status(n >= 2)]);
    const peer = s1.goPeer || {};
    if (g !== null && g !== undefined) out.push(['ingress / Go peer (peak accepted/s)', '≥ 1.0×', `${fmt(g, 3)}× (${fmt(s1.peaks.ingress, 0)} vs ${fmt(s1.peaks.go, 0)}/s)`, status(g >= 1)]);
    else if (peer.error) out.push(['ingress / Go peer (peak accepted/s)', '≥ 1.0×', 'not measured: the Go peer did not build (see scenario 1)', 'n/a']);
    else out.push(['ingress / Go peer (peak accepted/s)', '≥ 1.0×', `not measured${peer.skipped ? `: ${peer.skipped}` : ''}`, 'n/a']);
  }
  if (ok(s2)) {
    const at2k = s2.rows.find((x) => x.generator.startsWith('paced') && x.targetPerSec === 2000);
    if (at2k) out.push(['ingress p99 at 2,000 webhooks/s (paced, rate held)', '< 20 ms', `${ms(at2k.latencyMs.p99)} ms (${at2k.held ? 'rate held' : 'rate NOT held'})`, status(at2k.latencyMs.p99 < 20 && at2k.held)]);
    else {
      const any = s2.rows.find((x) => x.generator.startsWith('paced'));
      out.push(['ingress p99 at 2,000 webhooks/s', '< 20 ms', any ? `not run (quick); ${ms(any.latencyMs.p99)} ms at ${any.targetPerSec}/s` : '–', 'n/a']);
    }
  }
  if (ok(s3)) {
    const at1k = s3.phases.find((p) => p.rate === 1000);
    if (at1k) out.push(['end-to-end p99 at 1,000 events/s', '< 100 ms', `${ms(at1k.e2eMs.p99)} ms (${at1k.missing} follow-ups missing)`, status(at1k.e2eMs.p99 < 100 && at1k.missing === 0)]);
    else {
      const p = s3.phases[0];
      out.push(['end-to-end p99 at 1,000 events/s', '< 100 ms', p ? `not run (quick); ${ms(p.e2eMs.p99)} ms at ${p.rate}/s` : '–', 'n/a']);
    }
  }
  if (ok(s4)) out.push(['agent throughput (one process, exactly-once)', '≥ 10,000 events/s', `${fmt(s4.agent.eventsPerSec, 0)} events/s`, status(s4.agent.complete && s4.agent.eventsPerSec >= 10000)]);
  if (ok(s4)) out.push(['agent / plain consumer', '≥ 0.25×', `${fmt(s4.agentOverPlain, 3)}×`, status(s4.agentOverPlain >= 0.25)]);
  if (ok(s6)) {
    const goal = 'lead agent vs Kafka Streams exactly_once_v2 (same backlog, same run)';
    const ratio = streamsRatio(r);
    if (s6.skipped) out.push([goal, '≥ 1.0×', `skipped: ${s6.skipped}`, 'n/a']);
    else if (ratio === null) out.push([goal, '≥ 1.0×', `${ok(s4) ? 'no figure' : 'scenario agent not run'}; Kafka Streams ${fmt(s6.streams.eventsPerSec, 0)} events/s`, 'n/a']);
    else out.push([goal, '≥ 1.0×', `${fmt(ratio, 3)}× (${fmt(s4.agent.eventsPerSec, 0)} vs ${fmt(s6.streams.eventsPerSec, 0)} events/s)`, status(s4.agent.complete && s6.streams.complete && ratio >= 1)]);
  }
  if (ok(s7)) out.push(['p99 of healthy events while 1% fail every attempt, vs none failing', '≤ 1.2×', `${fmt(s7.p99Ratio)}× (${ms(s7.poisoned.e2eMs.p99)} vs ${ms(s7.clean.e2eMs.p99)} ms)`, status(s7.p99Ratio !== null && s7.p99Ratio <= 1.2)]);
  if (ok(s4b)) out.push(['agent, handler awaiting 100 ms (one process)', '≥ 2,000 events/s', `${fmt(s4b.agent.eventsPerSec, 0)} events/s`, status(s4b.agent.complete && s4b.agent.eventsPerSec >= 2000)]);
  if (ok(s5)) {
    const full = s5.settings.ids >= 1_000_000;
    const note = full ? '' : ` with ${fmt(s5.settings.ids, 0)} ids (goal is for 1,000,000)`;
    out.push(['recovery: spawn to first processed event, 1M remembered ids', '< 10 s', `${fmt(s5.loaded.startToFirstFollowUpMs / 1000, 2)} s${note}`, full ? status(s5.loaded.startToFirstFollowUpMs < 10_000) : 'n/a']);
    out.push(['memory per remembered id (RSS delta; heap delta in brackets)', '< 100 bytes', `${fmt(s5.bytesPerIdRss)} B (${fmt(s5.bytesPerIdHeap)} B)${note}`, full ? status(s5.bytesPerIdRss < 100) : 'n/a']);
  }
  return out;
}

function ingressSection(s) {
  const lines = ['## 1. Ingress throughput and latency (closed loop, autocannon)', ''];
  const rows = [];
  for (const [key, label] of Object.entries(s.targets)) {
    for (const [c, x] of Object.entries(s.http[key])) {
      const l = x.latencyMs;
      rows.push([label, c, fmt(x.acceptedPerSec, 0), fmt(x.non2xx, 0), fmt(x.errors, 0), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max), fmt(x.cpuMsPerAccepted, 3), fmt(x.brokerCpuMsPerAccepted, 3)]);
    }
  }
  lines.push(table(['target', 'connections', 'accepted (202)/s', 'non-2xx', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'CPU ms per 202', 'broker CPU ms per 202'], rows), '');
  lines.push(
    'CPU ms per 202: user + system CPU time of the server (every process of it: the Go runtime\'s threads, both ingress workers and their primary) over the run, from /proc, divided by the 202s of that run. Broker CPU ms per 202: the same for the broker this run started (empty with KAFKA_BROKERS): it shares the cores, so what a target costs the broker per record is CPU the target cannot use (the first Kafka target of a run also pays for the broker\'s JIT warm-up at its first concurrency).',
    '',
  );
  if (s.partial) {
    lines.push('Partial run (--targets): no broker ceiling and no ratios.', '');
    if (s.ingressInternals) lines.push(internalsLine(s.ingressInternals), '');
    return lines.concat(profileLines(s));
  }
  const b = s.broker;
  lines.push(
    table(
      ['broker ceiling (ProducerPerformance, 1024-byte records, acks=all)', 'records/s', 'MB/s', 'avg ms', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      [[`${fmt(b.records, 0)} records`, fmt(b.recordsPerSec, 0), fmt(b.mbPerSec, 2), fmt(b.latencyMs.avg), b.latencyMs.p50, b.latencyMs.p95, b.latencyMs.p99, b.latencyMs.p999, b.latencyMs.max]],
    ),
    '',
  );
  const x = (v) => (v === null || v === undefined ? '–' : `${fmt(v, 3)}×`);
  lines.push(
    table(
      ['connections', 'ingress / bare Fastify', 'ingress / naive', 'ingress / Go peer', 'ingress / broker ceiling', '2 workers / ingress', '2 workers / Go peer', 'ingress without Kafka / Go peer'],
      [
        ...Object.entries(s.ratios).map(([c, r]) => [c, x(r.ingressOverBare), x(r.ingressOverNaive), x(r.ingressOverGo), x(r.ingressOverBroker), x(r.workersOverIngress), x(r.workersOverGo), x(r.noKafkaOverGo)]),
        [
          'peak',
          x(s.peakRatios.ingressOverBare),
          x(s.peakRatios.ingressOverNaive),
          x(s.peakRatios.ingressOverGo),
          x(s.peakRatios.ingressOverBroker),
          x(s.peaks.workers && s.peaks.ingress ? Math.round((s.peaks.workers / s.peaks.ingress) * 1000) / 1000 : null),
          x(s.peakRatios.workersOverGo),
          x(s.peakRatios.noKafkaOverGo),
        ],
      ],
    ),
    '',
  );
  const peer = s.goPeer;
  if (peer && peer.skipped) lines.push(`Go peer not measured: ${peer.skipped}.`, '');
  else if (peer && peer.error) lines.push('Go peer not measured: its build failed:', '', '```', peer.error, '```', '');
  else if (peer) lines.push(`Go peer: bench/peers/go-ingress built with ${peer.go} (${peer.cachedBuild ? 'cached build' : 'built for this run'}, before the measurements).`, '');
  if (s.ingressInternals) lines.push(internalsLine(s.ingressInternals), '');
  return lines.concat(profileLines(s));
}

function internalsLine(i) {
  return `Ingress's own metrics over its run: ${fmt(i.produceRequests, 0)} produce requests, mean ${ms(i.produceMeanMs)} ms each, ${fmt(i.recordsPerProduce)} records each.`;
}

function profileLines(s) {
  if (!s.profile) return [];
  const p = s.profile;
  const span = p.windowed ? 'over its measured runs (warm-up and start-up left out)' : 'over its whole life';
  return [
    `CPU profile of the single-process ingress ${span} (${p.file}, ${fmt(p.sampledMs, 0)} ms sampled, ${fmt(p.busyMs, 0)} ms not idle, ${fmt(p.accepted, 0)} webhooks accepted: ${fmt(p.cpuMsPerAccepted, 3)} ms per webhook; V8 samples on the wall clock, so on a busy machine this includes time spent waiting for a core):`,
    '',
    table(['where', 'self ms', '%'], p.byPlace.slice(0, 10).map((x) => [x.place, fmt(x.ms, 0), fmt(x.pct)])),
    '',
    table(['top self-time functions', 'self ms', '%'], p.topSelf.slice(0, 15).map((x) => [`\`${x.fn}\``, fmt(x.ms, 0), fmt(x.pct)])),
    '',
  ];
}

function rateSection(s) {
  const rows = s.rows.map((x) => [x.generator, x.connections, fmt(x.targetPerSec, 0), fmt(x.achievedAcceptedPerSec, 1), x.held ? 'yes' : 'no', fmt(x.non2xx, 0), ms(x.latencyMs.p50), ms(x.latencyMs.p90), ms(x.latencyMs.p99), ms(x.latencyMs.max)]);
  const out = ['## 2. Ingress latency at a fixed rate', '', table(['generator', 'connections', 'target/s', 'achieved 202/s', 'held', 'non-2xx', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], rows), ''];
  const i = s.ingressInternals;
  if (i) out.push(`Ingress's own metrics over its run: ${fmt(i.produceRequests, 0)} produce requests, mean ${ms(i.produceMeanMs)} ms each, ${fmt(i.recordsPerProduce)} records each.`, '');
  return out;
}

function e2eSection(s) {
  const rows = s.phases.map((p) => [fmt(p.rate, 0), p.durationSec, fmt(p.accepted, 0), fmt(p.followUpsSeen, 0), fmt(p.missing, 0), ms(p.e2eMs.p50), ms(p.e2eMs.p90), ms(p.e2eMs.p99), ms(p.e2eMs.max), ms(p.sender.latencyMs.p99)]);
  const out = ['## 3. End to end: 202 → follow-up visible (read_committed)', '', table(['events/s', 's', '202s', 'follow-ups seen', 'missing', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ingress p99 ms (same run)'], rows), ''];
  const i = s.internals;
  if (i) {
    out.push(
      `Agent's own metrics over the scenario: ${fmt(i.transaction.count, 0)} transactions, mean ${ms(i.transaction.meanMs)} ms each, ${fmt(i.recordsPerTransaction.mean)} input records each; ingress: mean produce request ${ms(i.ingressProduce.meanMs)} ms, ${fmt(i.ingressRecordsPerProduce.mean)} records each.`,
      '',
    );
  }
  return out;
}

function poisonSection(s) {
  const row = (label, p) => [label, `${fmt(p.followUpsSeen, 0)}/${fmt(p.accepted, 0)}`, ms(p.e2eMs.p50), ms(p.e2eMs.p90), ms(p.e2eMs.p99), ms(p.e2eMs.max)];
  return [
    '## 7. Failing records beside healthy ones',
    '',
    table(['run', 'follow-ups / accepted', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], [row('no failures', s.clean), row('1% of events fail every attempt', s.poisoned)]),
    '',
    `Healthy p99 with failures / without: ${fmt(s.p99Ratio)}×. The failing events have no follow-up (they are retried through the retry topic, then dead-lettered), so they show as missing.`,
    '',
  ];
}

function slowSection(s) {
  const a = s.agent;
  return [
    '## 4b. Agent whose handler waits 100 ms (an API call)',
    '',
    table(
      ['agent', 'records', 'events/s', 'definition', 'notes'],
      [['slow-agent (1 process, exactly-once, runtime defaults)', `${fmt(a.committed, 0)}/${fmt(a.records, 0)}`, fmt(a.eventsPerSec, 0), 'first observed commit → lag 0', `${fmt(a.eventsPerSecFromSpawn, 0)}/s from spawn`]],
    ),
    '',
    a.internals ? `The agent's own metrics: ${fmt(a.internals.transactions, 0)} transactions, mean ${ms(a.internals.transactionMeanMs)} ms each, ${fmt(a.internals.recordsPerTransaction)} input records each.` : '',
    '',
  ];
}

function agentSection(s) {
  const a = s.agent;
  const p = s.plain;
  return [
    '## 4. Agent throughput on a backlog',
    '',
    table(
      ['consumer', 'records', 'events/s', 'definition', 'notes'],
      [
        ['lead-agent (1 process, exactly-once)', `${fmt(a.committed, 0)}/${fmt(a.records, 0)}`, fmt(a.eventsPerSec, 0), 'first observed commit → lag 0', `${fmt(a.eventsPerSecFromSpawn, 0)}/s from spawn; restored ${fmt(a.spawnToRestoredMs, 0)} ms, first commit ${fmt(a.spawnToFirstCommitMs, 0)} ms after spawn`],
        ['plain kafkajs consumer (autoCommit, count only)', `${fmt(p.records, 0)}/${fmt(a.records, 0)}`, fmt(p.eventsPerSec, 0), 'first batch → last record', `first batch ${fmt(p.firstBatchAfterRunMs, 0)} ms after run()`],
      ],
    ),
    '',
    `agent / plain consumer: ${fmt(s.agentOverPlain, 3)}×` +
      (a.internals ? `; the agent's own metrics: ${fmt(a.internals.transactions, 0)} transactions, mean ${ms(a.internals.transactionMeanMs)} ms each, ${fmt(a.internals.recordsPerTransaction)} input records each.` : ''),
    '',
  ];
}

function streamsSection(s, r) {
  const title = '## 6. Lead agent vs Kafka Streams exactly_once_v2 (same backlog, same run)';
  if (s.skipped) return [title, '', `Skipped: ${s.skipped}.`, ''];
  const k = s.streams;
  const s4 = r.scenarios.agent && !r.scenarios.agent.error ? r.scenarios.agent : undefined;
  const a = s4 && s4.agent;
  const rows = [];
  if (a) rows.push(['lead-agent (1 process, exactly-once; scenario 4)', `${fmt(a.committed, 0)}/${fmt(a.records, 0)}`, fmt(a.eventsPerSec, 0), fmt(a.eventsPerSecFromSpawn, 0), `first commit ${fmt(a.spawnToFirstCommitMs, 0)} ms after spawn`]);
  rows.push([
    `Kafka Streams ${s.app.kafkaClients || ''} exactly_once_v2 (1 JVM, ${fmt(s.settings.threads, 0)} stream thread${s.settings.threads === 1 ? '' : 's'})`,
    `${fmt(k.committed, 0)}/${fmt(k.records, 0)}`,
    fmt(k.eventsPerSec, 0),
    fmt(k.eventsPerSecFromSpawn, 0),
    `RUNNING ${fmt(k.spawnToRunningMs, 0)} ms, first commit ${fmt(k.spawnToFirstCommitMs, 0)} ms after spawn`,
  ]);
  const ratio = streamsRatio(r);
  const lines = [title, '', table(['consumer', 'records', 'events/s (first commit → lag 0)', 'events/s from spawn', 'notes'], rows), ''];
  lines.push(ratio === null ? 'lead agent / Kafka Streams: – (scenario agent not in this run)' : `lead agent / Kafka Streams exactly_once_v2: ${fmt(ratio, 3)}×`, '');
  const c = k.counters;
  if (c) lines.push(`The Streams app's counters: ${fmt(c.processed, 0)} processed (${fmt(c.qualified, 0)} qualified, ${fmt(c.disqualified, 0)} disqualified), ${fmt(c.duplicates, 0)} duplicates skipped, ${fmt(c.invalid, 0)} invalid.`, '');
  const m = k.threadMetrics;
  if (m && Object.keys(m).length > 0) lines.push(`Its stream-thread metrics: ${Object.entries(m).map(([n, v]) => `${n} ${fmt(v, 3)}`).join(', ')}.`, '');
  const cfg = [
    ['JVM', `${s.app.java}; ${s.app.jvmArgs.join(' ')}`],
    ['application.id (= consumer group)', `\`${s.app.applicationId}\``],
    ...Object.entries(s.app.given || {})
      .filter(([key]) => !['application.id', 'bootstrap.servers', 'state.dir'].includes(key))
      .map(([key, v]) => [`\`${key}\` (set)`, `\`${v}\``]),
    ...Object.entries(s.app.effective || {}).map(([key, v]) => [`\`${key}\``, `\`${v}\``]),
    ['build', `${s.app.build.cacheDir} (${s.app.build.built ? `built this run in ${fmt(s.app.build.buildMs / 1000)} s` : 'cached'})`],
  ];
  lines.push(table(['Streams app (bench/peers/streams)', ''], cfg), '');
  return lines;
}

function recoverySection(s) {
  const r = (label, x) => [label, fmt(x.rememberedIds, 0), fmt(x.startToFirstFollowUpMs, 0), fmt(x.restoreLog.ms, 0), fmt(x.restoreLog.ids, 0), fmt(x.rssBytes / 2 ** 20), fmt(x.heapUsedBytes / 2 ** 20)];
  return [
    '## 5. Recovery and memory',
    '',
    table(['agent', 'remembered ids', 'spawn → first follow-up ms', 'restore ms (agent log)', 'ids restored', 'RSS MiB', 'heap used MiB'], [r('baseline (empty dedup record)', s.baseline), r('loaded', s.loaded)]),
    '',
    `bytes per remembered id: ${fmt(s.bytesPerIdRss)} (RSS), ${fmt(s.bytesPerIdHeap)} (V8 heap used)`,
    '',
  ];
}

const NOTES = [
  'Payload: a 1024-byte signed CRM `lead.created` webhook (hex HMAC-SHA256), a distinct event id per request; padding sits in a field the CRM normalizer drops, so the ingress writes a smaller CloudEvents record than the naive design (which writes the raw 1 KiB) and ProducerPerformance (1024-byte records).',
  'Every load generator runs in its own process; the servers under test run in theirs; all bind 127.0.0.1. Load generator, servers, agent and broker share the same cores, so every figure includes that contention.',
  'Latencies are from our own µs histogram (≤0.8% bucket error; percentiles report the bucket upper bound). Scenario 1 and the autocannon rows of scenario 2 use autocannon\'s per-response timings; autocannon\'s own histogram is not used (whole-ms resolution, and under overallRate it adds coordinated-omission fill-ins).',
  'Naive design: Fastify + HMAC check (timingSafeEqual) + JSON.parse for the id + ONE `await producer.send()` per request on kafkajs\'s plain producer (`kafka.producer()`, not idempotent) with acks=-1.',
  `Go peer (bench/peers/go-ingress): the ingress's CRM contract in Go: net/http, raw body, hex HMAC-SHA256 compared in constant time (401), encoding/json over the whole body (400), a CloudEvents binary-mode record (ce_specversion, ce_id, ce_source, ce_type, ce_time, ce_subject, ce_receivedat, ce_deliveryid, content-type; key = lower-cased email) and ONE franz-go \`ProduceSync\` per request with franz-go's defaults (acks=all, idempotent, linger 10 ms, snappy, where the ingress compresses only with \`KAFKA_COMPRESSION\`, ${process.env.KAFKA_COMPRESSION || 'none'} in this run; concurrent records share produce requests), 202 after the ack. Unlike the ingress it writes the raw 1 KiB body as the value (not the canonical Lead), has no quarantine, traceparent, metrics or logs, and its runtime uses every core (GOMAXPROCS = cores) where the ingress runs JavaScript on one thread.`,
  'Scenario 2, paced: open loop, requests spread evenly over every second, latency from hand-off to the socket pool to the response (waiting for a free socket counts). autocannon overallRate fires each connection\'s per-second quota back to back at the start of each second, so its latencies are of bursts, not of a steady rate. "Held" = ≥98% of the target answered 202 with no errors.',
  'Scenario 3: one probe process sends (paced) and reads the follow-ups with a read_committed kafkajs consumer (maxWaitTimeInMs 100): latency = time the consumer received the `leads.qualified` record whose ce_causationid is the event id − time the 202 arrived, one monotonic clock. A warm-up before each rate is not recorded.',
  'Scenario 4: progress read from the agent\'s committed input offsets (committed inside its transactions) every 100 ms.',
  'Scenario 6: the Kafka Streams peer (bench/peers/streams/LeadScoring.java, Processor API) reads the same kind of backlog as scenario 4 (own prefix, same record count), dedups by the ce_id header in a persistent (RocksDB, changelogged) store, keeps a per-email store for the score\'s "returning" input (as the agent keeps its lead memory), scores with the same inputs and weights as scoring.ts and writes one CloudEvent per lead to leads.qualified or leads.disqualified. The lead agent does a little more per lead: it also assigns an owner from its roster and writes an emails.requested follow-up for each qualified lead. Both figures: committed input offsets polled every 100 ms, first observed commit → lag 0.',
  'Scenario 5: dedup records written non-transactionally to `<prefix>lead-agent.processed` (500 digests per record, spread over its 6 partitions); 300 unprocessed leads wait in leads.created. Memory is read 1 s after the last lead, after a full GC in the agent (preloaded bench/lib/gc-on-signal.js, triggered by SIGWINCH): median of 3 samples of VmRSS and of V8 heap used (/metrics). The agent code is unchanged; the preload only adds the GC trigger.',
];

function markdown(r) {
  const lines = [`# hookline benchmarks (${r.mode} run)`, ''];
  const m = r.machine;
  lines.push(
    table(['machine', ''], [
      ['date', m.date],
      ['cpu', `${m.cpuModel}, ${m.cores} cores`],
      ['memory', `${m.memoryGiB} GiB`],
      ['os', m.os],
      ['node', m.node],
      ['java', m.java],
      ['kafka', m.kafka],
      ['load average at start (1/5/15 min)', m.loadAverageAtStart.join(' / ')],
      ['run time', `${fmt(r.durationSec, 0)} s`],
    ]),
    '',
  );
  lines.push('## Goals', '', table(['goal', 'target', 'measured', 'status'], goals(r)), '');
  const hot = hotPathGoals(r);
  if (hot.length > 0) {
    lines.push('## Ingress hot path goals (same run)', '', table(['figure', 'now', 'goal', 'met'], hot), '');
  }
  const sections = { ingress: ingressSection, rate: rateSection, e2e: e2eSection, agent: agentSection, streams: streamsSection, slow: slowSection, poison: poisonSection, recovery: recoverySection };
  for (const [key, fn] of Object.entries(sections)) {
    const s = r.scenarios[key];
    if (!s) continue;
    if (s.error) lines.push(`## ${key}: FAILED`, '', '```', s.error, '```', '');
    else lines.push(...fn(s, r));
  }
  lines.push('## Notes', '', ...NOTES.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

function writeResults(dir, results) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'latest.md'), markdown(results));
}

module.exports = { writeResults, markdown };
