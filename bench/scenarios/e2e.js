'use strict';
/**
 * Scenario 3: end to end, from the ingress's 202 to the follow-up (leads.qualified) being visible to a
 * read_committed consumer, through one lead-agent process. The probe (bench/load/e2e-probe.js) sends and
 * consumes in one process, so both timestamps come from one monotonic clock.
 */
const path = require('node:path');
const apps = require('../lib/apps');
const procs = require('../lib/procs');
const { log } = require('../lib/log');
const { fetchMetrics, histogramMean } = require('../lib/metrics');

const PROBE = path.join(__dirname, '..', 'load', 'e2e-probe.js');

function settings(quick) {
  return quick
    ? { phases: [{ rate: 200, durationSec: 5, warmupSec: 1 }], drainSec: 15 }
    : {
        phases: [
          { rate: 200, durationSec: 15, warmupSec: 2 },
          { rate: 1000, durationSec: 15, warmupSec: 2 },
        ],
        drainSec: 20,
      };
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const prefix = `${ctx.runTag}-s3.`;
  log('scenario 3: starting the ingress and a lead-agent');
  const ingress = await apps.startIngress(ctx, { port: ctx.ports.ingress, prefix, name: 'ingress-s3' });
  let agent;
  try {
    // A fixed health port (not 0) so its /metrics can tell how long its transactions took.
    agent = await apps.startLeadAgent(ctx, { prefix, name: 'lead-agent-s3', healthPort: ctx.ports.agentHealth });
    await agent.restoredLine;
    const cfg = { dist: ctx.dist, brokers: ctx.broker.brokers, prefix, port: ctx.ports.ingress, connections: 256, tag: `${ctx.runTag}-3`, ...s };
    const budget = s.phases.reduce((n, p) => n + p.durationSec + p.warmupSec + s.drainSec, 0) + 90;
    const phases = await procs.runNodeChild('e2e-probe', PROBE, cfg, { env: ctx.secrets, timeoutMs: budget * 1000 });
    for (const p of phases) {
      log(`scenario 3: ${p.rate}/s: ${p.followUpsSeen}/${p.accepted} follow-ups, e2e p50 ${p.e2eMs.p50} p90 ${p.e2eMs.p90} p99 ${p.e2eMs.p99} max ${p.e2eMs.max} ms`);
    }
    const [a, i] = await Promise.all([fetchMetrics(ctx.ports.agentHealth), fetchMetrics(ctx.ports.ingress)]);
    const ms = (h) => ({ count: h.count, meanMs: h.mean === null ? null : Math.round(h.mean * 1000 * 100) / 100 });
    const agentSide = {
      transaction: ms(histogramMean(a, 'hookline_agent_transaction_seconds')),
      recordsPerTransaction: histogramMean(a, 'hookline_agent_transaction_input_records'),
      ingressProduce: ms(histogramMean(i, 'hookline_ingress_produce_seconds')),
      ingressRecordsPerProduce: histogramMean(i, 'hookline_ingress_batch_records'),
    };
    log(`scenario 3: agent transactions: ${agentSide.transaction.count}, mean ${agentSide.transaction.meanMs} ms, ${agentSide.recordsPerTransaction.mean?.toFixed(1)} records each; ingress produce mean ${agentSide.ingressProduce.meanMs} ms`);
    return { settings: s, phases, internals: agentSide };
  } finally {
    if (agent) await agent.stop(15_000);
    await ingress.stop(15_000);
  }
}

module.exports = { run };
