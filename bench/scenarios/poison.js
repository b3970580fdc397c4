'use strict';
/**
 * Scenario 7: do failing records hold up healthy ones? The end-to-end probe of scenario 3 (202 from the
 * ingress → follow-up visible read_committed) through a bench agent (bench/load/slow-agent.js, 5 ms
 * handler), twice at the same rate: once with no failures, once with 1% of the events failing every
 * attempt (retried through the retry topic, then dead-lettered). The p99 of the healthy events is
 * compared; the goal is that failures cost them at most 20%.
 */
const path = require('node:path');
const apps = require('../lib/apps');
const procs = require('../lib/procs');
const { ensureAppTopics } = require('../lib/leads');
const { log } = require('../lib/log');

const PROBE = path.join(__dirname, '..', 'load', 'e2e-probe.js');
const AGENT = path.join(__dirname, '..', 'load', 'slow-agent.js');

async function once(ctx, s, label, poisonPercent) {
  const prefix = `${ctx.runTag}-s7${label}.`;
  await ensureAppTopics(ctx, prefix, 'slow-agent');
  const ingress = await apps.startIngress(ctx, { port: ctx.ports.ingress, prefix, name: `ingress-s7${label}` });
  let agent;
  try {
    agent = await apps.startLeadAgent(ctx, {
      prefix,
      name: `slow-agent-s7${label}`,
      script: AGENT,
      extraEnv: { SLOW_HANDLER_MS: '5', POISON_PERCENT: String(poisonPercent), RETRY_INITIAL_MS: '200', RETRY_MAX_MS: '2000' },
    });
    await agent.restoredLine;
    const cfg = { dist: ctx.dist, brokers: ctx.broker.brokers, prefix, port: ctx.ports.ingress, connections: 256, tag: `${ctx.runTag}-7${label}`, ...s };
    const budget = s.phases.reduce((n, p) => n + p.durationSec + p.warmupSec + s.drainSec, 0) + 90;
    const [phase] = await procs.runNodeChild('e2e-probe', PROBE, cfg, { env: ctx.secrets, timeoutMs: budget * 1000 });
    log(`scenario 7 (${poisonPercent}% poison): ${phase.followUpsSeen}/${phase.accepted} follow-ups, healthy e2e p50 ${phase.e2eMs.p50} p99 ${phase.e2eMs.p99} ms`);
    return { poisonPercent, ...phase };
  } finally {
    if (agent) await agent.stop(15_000);
    await ingress.stop(15_000);
  }
}

async function run(ctx) {
  const rate = ctx.quick ? 200 : 500;
  // Poison events never get a follow-up: the probe waits drainSec for them, then reports them missing.
  const s = { phases: [{ rate, durationSec: ctx.quick ? 8 : 15, warmupSec: 2 }], drainSec: 10 };
  const clean = await once(ctx, s, 'a', 0);
  const poisoned = await once(ctx, s, 'b', 1);
  const ratio = clean.e2eMs.p99 > 0 ? Math.round((poisoned.e2eMs.p99 / clean.e2eMs.p99) * 100) / 100 : null;
  log(`scenario 7: healthy p99 with 1% poison / without = ${ratio}`);
  return { settings: s, clean, poisoned, p99Ratio: ratio };
}

module.exports = { run };
