'use strict';
/**
 * Scenario 5: recovery and memory. The lead-agent's dedup record (its `processed` topic) is filled with M
 * remembered ids, a few hundred unprocessed leads wait in leads.created, and a fresh agent process starts:
 *   recovery = time from spawning the process to its first follow-up visible to a read_committed consumer;
 *   memory   = its resident memory (/proc/<pid>/status VmRSS) and V8 heap used (from its /metrics), read
 *              after the last lead was processed and a full GC (bench/lib/gc-on-signal.js), minus those of
 *              an agent started the same way on an empty dedup record -> bytes per remembered id.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const apps = require('../lib/apps');
const procs = require('../lib/procs');
const { ensureAppTopics, produceLeads, produceDedupRecords } = require('../lib/leads');
const { log, sleep } = require('../lib/log');
const { fetchMetrics, value } = require('../lib/metrics');

const settings = (quick) => (quick ? { ids: 100_000, leads: 300 } : { ids: 1_000_000, leads: 300 });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A read_committed consumer of the agent's follow-ups, joined before the agent starts. */
async function watchFollowUps(ctx, prefix) {
  const { common } = ctx;
  const topics = [common.Topics.LeadsQualified, common.Topics.LeadsDisqualified].map((t) => common.physicalTopic(prefix, t));
  const consumer = ctx.kafka.consumer({ groupId: `${prefix}bench-watch`, readUncommitted: false, maxWaitTimeInMs: 50 });
  const state = { first: undefined, count: 0, consumer };
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (state.first === undefined && batch.messages.length > 0) state.first = performance.now();
      state.count += batch.messages.length;
    },
  });
  await joined;
  return state;
}

async function oneStart(ctx, s, label, ids) {
  const prefix = `${ctx.runTag}-s5${label}.`;
  await ensureAppTopics(ctx, prefix);
  if (ids > 0) await produceDedupRecords(ctx, prefix, `${ctx.runTag}-5${label}`, ids);
  await produceLeads(ctx, prefix, `${ctx.runTag}-5${label}`, s.leads);
  const watch = await watchFollowUps(ctx, prefix);
  log(`scenario 5: starting a lead-agent with ${ids} remembered ids`);
  const agent = await apps.startLeadAgent(ctx, {
    prefix,
    healthPort: ctx.ports.agentHealth,
    name: `lead-agent-s5${label}`,
    nodeArgs: ['--expose-gc', '-r', path.join(__dirname, '..', 'lib', 'gc-on-signal.js')],
  });
  try {
    const deadline = agent.startedAt + 120_000;
    while (watch.count < s.leads && performance.now() < deadline) {
      if (agent.exitInfo) throw new Error(`lead-agent exited (${agent.exitInfo.signal || agent.exitInfo.code}):\n${agent.tail.slice(-2000)}`);
      await sleep(20);
    }
    if (watch.first === undefined) throw new Error(`no follow-up within 120 s of starting the agent:\n${agent.tail.slice(-2000)}`);
    const restored = (await agent.restoredLine).json || {};
    await sleep(1000);
    const rss = [];
    const heap = [];
    for (let i = 0; i < 3; i++) {
      agent.child.kill('SIGWINCH'); // full GC in the agent
      await sleep(700);
      rss.push(procs.rssBytes(agent.pid));
      heap.push(value(await fetchMetrics(ctx.ports.agentHealth), 'hookline_nodejs_heap_size_used_bytes'));
    }
    const metrics = await fetchMetrics(ctx.ports.agentHealth);
    const r = {
      rememberedIds: ids,
      leads: s.leads,
      followUpsSeen: watch.count,
      startToFirstFollowUpMs: Math.round(watch.first - agent.startedAt),
      restoreLog: { ids: restored.ids, keys: restored.keys, ms: restored.ms },
      rssBytes: median(rss),
      heapUsedBytes: median(heap),
      rssFromMetricsBytes: value(metrics, 'hookline_process_resident_memory_bytes'),
    };
    log(`scenario 5: ${ids} ids: first follow-up ${r.startToFirstFollowUpMs} ms after spawn (restore ${restored.ms} ms), RSS ${(r.rssBytes / 1e6).toFixed(1)} MB, heap ${(r.heapUsedBytes / 1e6).toFixed(1)} MB`);
    return r;
  } finally {
    await agent.stop(15_000);
    await watch.consumer.disconnect();
  }
}

async function run(ctx) {
  const s = settings(ctx.quick);
  const baseline = await oneStart(ctx, s, 'b', 0);
  const loaded = await oneStart(ctx, s, 'm', s.ids);
  const per = (a, b) => Math.round(((a - b) / s.ids) * 10) / 10;
  return {
    settings: s,
    baseline,
    loaded,
    bytesPerIdRss: per(loaded.rssBytes, baseline.rssBytes),
    bytesPerIdHeap: loaded.heapUsedBytes !== null && baseline.heapUsedBytes !== null ? per(loaded.heapUsedBytes, baseline.heapUsedBytes) : null,
  };
}

module.exports = { run };
