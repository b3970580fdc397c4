'use strict';
/**
 * Scenario 4: agent throughput on a backlog. N leads.created records are written straight to Kafka, then
 * ONE lead-agent process drains them with its exactly-once transactions. Progress is read from the agent's
 * committed offsets (they commit inside each transaction, so they move exactly when follow-ups become
 * visible), polled every 100 ms:
 *   drain rate = records committed after the first observed commit / time from that poll to lag 0;
 *   overall    = N / time from spawning the process to lag 0 (start-up, join and restore included).
 * Compared with a plain kafkajs consumer group (autoCommit, eachBatch, count only) reading the same backlog.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const apps = require('../lib/apps');
const procs = require('../lib/procs');
const { committedSum } = require('../lib/kafka');
const { ensureAppTopics, produceLeads } = require('../lib/leads');
const { log, sleep } = require('../lib/log');
const { fetchMetrics, histogramMean } = require('../lib/metrics');

const PLAIN = path.join(__dirname, '..', 'load', 'plain-consumer.js');
const SLOW = path.join(__dirname, '..', 'load', 'slow-agent.js');

const settings = (quick) => (quick ? { records: 20_000, timeoutSec: 120 } : { records: 100_000, timeoutSec: 240 });
const rate = (n, ms) => (ms > 0 ? Math.round((n / ms) * 1000) : null);

async function drainWithAgent(ctx, s, prefix, topic, how = {}) {
  const group = ctx.common.physicalTopic(prefix, how.agentName || 'lead-agent');
  const admin = ctx.kafka.admin();
  await admin.connect();
  // A fixed health port so its /metrics can tell how long its transactions took.
  const agent = await apps.startLeadAgent(ctx, { prefix, name: how.procName || 'lead-agent-s4', healthPort: ctx.ports.agentHealth, ...(how.script ? { script: how.script, extraEnv: how.extraEnv } : {}) });
  const t0 = agent.startedAt;
  let restoredAt;
  void agent.restoredLine.then(() => (restoredAt = performance.now())).catch(() => undefined);
  let first;
  let last = { t: t0, n: 0 };
  let internals;
  try {
    const deadline = t0 + s.timeoutSec * 1000;
    while (performance.now() < deadline) {
      if (agent.exitInfo) throw new Error(`lead-agent exited (${agent.exitInfo.signal || agent.exitInfo.code}):\n${agent.tail.slice(-2000)}`);
      const n = await committedSum(admin, group, topic);
      const t = performance.now();
      if (n > 0 && !first) first = { t, n };
      last = { t, n };
      if (n >= s.records) break;
      await sleep(100);
    }
    const text = await fetchMetrics(ctx.ports.agentHealth);
    const tx = histogramMean(text, 'hookline_agent_transaction_seconds');
    const recs = histogramMean(text, 'hookline_agent_transaction_input_records');
    internals = { transactions: tx.count, transactionMeanMs: tx.mean === null ? null : Math.round(tx.mean * 100000) / 100, recordsPerTransaction: recs.mean === null ? null : Math.round(recs.mean * 10) / 10 };
  } finally {
    await agent.stop(15_000);
    await admin.disconnect();
  }
  const complete = last.n >= s.records;
  const result = {
    records: s.records,
    committed: last.n,
    complete,
    spawnToRestoredMs: restoredAt ? Math.round(restoredAt - t0) : null,
    spawnToFirstCommitMs: first ? Math.round(first.t - t0) : null,
    firstCommitToLagZeroMs: first ? Math.round(last.t - first.t) : null,
    eventsPerSec: first ? rate(last.n - first.n, last.t - first.t) : null,
    eventsPerSecFromSpawn: rate(last.n, last.t - t0),
    internals,
  };
  log(`${how.label || 'scenario 4: lead-agent'} ${complete ? 'drained' : 'did NOT drain'} ${last.n}/${s.records}: ${result.eventsPerSec} events/s (first commit to lag 0), ${result.eventsPerSecFromSpawn}/s from spawn`);
  return result;
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const prefix = `${ctx.runTag}-s4.`;
  await ensureAppTopics(ctx, prefix);
  const topic = await produceLeads(ctx, prefix, `${ctx.runTag}-4`, s.records);
  const agent = await drainWithAgent(ctx, s, prefix, topic);
  const plainRaw = await procs.runNodeChild(
    'plain-consumer',
    PLAIN,
    { brokers: ctx.broker.brokers, topic, expected: s.records, groupId: `${prefix}bench-plain`, timeoutSec: s.timeoutSec },
    { timeoutMs: (s.timeoutSec + 30) * 1000 },
  );
  const plain = { ...plainRaw, eventsPerSec: rate(plainRaw.records, plainRaw.firstToLastMs) };
  log(`scenario 4: plain kafkajs consumer: ${plain.records} records, ${plain.eventsPerSec}/s (first batch to last)`);
  return { settings: s, agent, plain, agentOverPlain: agent.eventsPerSec && plain.eventsPerSec ? Math.round((agent.eventsPerSec / plain.eventsPerSec) * 1000) / 1000 : null };
}

/**
 * Scenario 4b: an agent whose handler waits 100 ms (an API call), one process, runtime defaults: how much
 * per-key concurrency buys when handlers wait. Every lead has its own key.
 */
async function runSlow(ctx) {
  const s = ctx.quick ? { records: 5_000, timeoutSec: 120 } : { records: 20_000, timeoutSec: 180 };
  const prefix = `${ctx.runTag}-s4b.`;
  await ensureAppTopics(ctx, prefix, 'slow-agent');
  const topic = await produceLeads(ctx, prefix, `${ctx.runTag}-4b`, s.records);
  const agent = await drainWithAgent(ctx, s, prefix, topic, {
    agentName: 'slow-agent',
    procName: 'slow-agent',
    label: 'scenario 4b: slow-handler agent (100 ms per event)',
    script: SLOW,
    extraEnv: { SLOW_HANDLER_MS: '100' },
  });
  return { settings: { ...s, handlerMs: 100 }, agent };
}

module.exports = { run, runSlow };
