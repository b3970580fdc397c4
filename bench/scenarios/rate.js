'use strict';
/**
 * Scenario 2: latency of the ingress at fixed arrival rates. Two generators:
 *  - "paced" (primary): an open-loop sender spreading requests evenly over each second (bench/lib/paced.js);
 *  - "autocannon overallRate" (as often used): autocannon's rate limit is per connection and per wall-clock
 *    second, so each connection fires its share back to back at the start of every second; latencies are
 *    those of short bursts at `connections` concurrency, not of a steady rate. Shown for comparison.
 * "held" = at least 98% of the target rate answered 202, no non-2xx, no errors, nothing skipped.
 */
const path = require('node:path');
const apps = require('../lib/apps');
const procs = require('../lib/procs');
const { log } = require('../lib/log');
const { fetchMetrics, histogramMean } = require('../lib/metrics');

const PACED = path.join(__dirname, '..', 'load', 'paced.js');
const AUTOCANNON = path.join(__dirname, '..', 'load', 'autocannon.js');

function settings(quick) {
  return quick
    ? { rates: [500], durationSec: 5, warmupSec: 2, autocannonRates: [500] }
    : { rates: [500, 2000], durationSec: 15, warmupSec: 3, autocannonRates: [500, 2000] };
}

const non2xx = (status) => Object.entries(status).reduce((n, [code, c]) => n + (code.startsWith('2') ? 0 : c), 0);

async function paced(ctx, rate, durationSec, tag) {
  const cfg = { port: ctx.ports.ingress, rate, durationSec, connections: 256, tag };
  return procs.runNodeChild('paced', PACED, cfg, { env: ctx.secrets, timeoutMs: (durationSec + 60) * 1000 });
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const prefix = `${ctx.runTag}-s2.`;
  log('scenario 2: starting the ingress');
  const ingress = await apps.startIngress(ctx, { port: ctx.ports.ingress, prefix, name: 'ingress-s2' });
  const rows = [];
  let internals;
  try {
    await paced(ctx, 500, s.warmupSec, `${ctx.runTag}-2w`);
    for (const rate of s.rates) {
      const r = await paced(ctx, rate, s.durationSec, `${ctx.runTag}-2p${rate}`);
      delete r.histogram;
      const bad = non2xx(r.status);
      r.non2xx = bad;
      r.held = r.achievedAcceptedPerSec >= 0.98 * rate && bad === 0 && r.errors === 0 && r.droppedByGenerator === 0 && r.unanswered === 0;
      rows.push({ generator: 'paced (open loop)', connections: 'up to 256', ...r });
      log(`scenario 2: paced ${rate}/s: achieved ${r.achievedAcceptedPerSec}/s (${r.held ? 'held' : 'NOT held'}), p50 ${r.latencyMs.p50} p90 ${r.latencyMs.p90} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms`);
    }
    for (const rate of s.autocannonRates) {
      const connections = Math.max(50, Math.ceil(rate / 20));
      const cfg = { port: ctx.ports.ingress, connections, overallRate: rate, durationSec: s.durationSec, tag: `${ctx.runTag}-2a${rate}`, maxRequests: rate * s.durationSec * 2 };
      const r = await procs.runNodeChild('autocannon', AUTOCANNON, cfg, { env: ctx.secrets, timeoutMs: (s.durationSec + 60) * 1000 });
      delete r.histogram;
      const row = {
        generator: 'autocannon overallRate',
        connections,
        targetPerSec: rate,
        durationSec: r.durationSec,
        accepted: r.accepted,
        achievedAcceptedPerSec: r.acceptedPerSec,
        status: r.status,
        non2xx: r.non2xx,
        errors: r.errors,
        latencyMs: r.latencyMs,
      };
      row.held = row.achievedAcceptedPerSec >= 0.98 * rate && r.non2xx === 0 && r.errors === 0;
      rows.push(row);
      log(`scenario 2: autocannon overallRate ${rate}/s: achieved ${row.achievedAcceptedPerSec}/s, p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms`);
    }
    const text = await fetchMetrics(ctx.ports.ingress);
    const produce = histogramMean(text, 'hookline_ingress_produce_seconds');
    const batch = histogramMean(text, 'hookline_ingress_batch_records');
    internals = { produceRequests: produce.count, produceMeanMs: produce.mean === null ? null : Math.round(produce.mean * 100000) / 100, recordsPerProduce: batch.mean === null ? null : Math.round(batch.mean * 10) / 10 };
  } finally {
    await ingress.stop(15_000);
  }
  return { settings: s, rows, ingressInternals: internals };
}

module.exports = { run };
