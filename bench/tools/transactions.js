'use strict';
/**
 * How long one agent-shaped Kafka transaction takes, and why: `node bench/tools/transactions.js`.
 * Each transaction is what a lead-agent task commits: 4 follow-ups on two topics, one processed-ids record
 * and one state record in the task's partition, the input offset, commit. Run for 1 and 6 tasks at once
 * (one task per input partition), with one transactional id per task or two used in turn (what
 * libs/agent/src/task.ts does). Prints the mean time of each phase:
 *   send    = AddPartitionsToTxn + Produce (waits out CONCURRENT_TRANSACTIONS when the previous
 *             transaction on the same id is still being completed by the coordinator)
 *   offsets = AddOffsetsToTxn + TxnOffsetCommit
 *   commit  = EndTxn
 * Starts a native broker on 127.0.0.1:29392 (TX_BENCH_KAFKA_PORT) unless KAFKA_BROKERS is set; bounded
 * (TX_BENCH_N transactions per task, default 300); stops and wipes the broker at the end.
 */
const { performance } = require('node:perf_hooks');
const { Kafka, logLevel } = require('kafkajs');
const native = require('../../scripts/native-kafka.js');

const N = Number(process.env.TX_BENCH_N || 300);
const PORT = Number(process.env.TX_BENCH_KAFKA_PORT || 29392);
const WARMUP = 10;

async function run(kafka, tasks, ids) {
  const admin = kafka.admin();
  await admin.connect();
  const t = `txbench-${Date.now().toString(36)}`;
  await admin.createTopics({ topics: ['in', 'q', 'e', 'p', 's'].map((x) => ({ topic: `${t}-${x}`, numPartitions: 6 })), waitForLeaders: true });
  const phases = { send: 0, offsets: 0, commit: 0 };
  const totals = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: tasks }, async (_, part) => {
      const producers = [];
      for (let i = 0; i < ids; i++) {
        const p = kafka.producer({ transactionalId: `${t}-task-${part}-${i}`, idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 5, maxRetryTime: 1000 } });
        await p.connect();
        producers.push(p);
      }
      for (let i = 0; i < N; i++) {
        const tx = await producers[i % ids].transaction();
        const a = performance.now();
        const followUps = (topic) => ({ topic, messages: Array.from({ length: 4 }, (_, j) => ({ key: `k${i}-${j}`, value: 'x'.repeat(400) })) });
        await tx.sendBatch({
          acks: -1,
          topicMessages: [followUps(`${t}-q`), followUps(`${t}-e`), { topic: `${t}-p`, messages: [{ partition: part, value: 'ids' }] }, { topic: `${t}-s`, messages: [{ partition: part, key: `s${i}`, value: 'state' }] }],
        });
        const b = performance.now();
        await tx.sendOffsets({ consumerGroupId: `${t}-group`, topics: [{ topic: `${t}-in`, partitions: [{ partition: part, offset: String(i + 1) }] }] });
        const c = performance.now();
        await tx.commit();
        const d = performance.now();
        if (i >= WARMUP) {
          phases.send += b - a;
          phases.offsets += c - b;
          phases.commit += d - c;
          totals.push(d - a);
        }
      }
      await Promise.all(producers.map((p) => p.disconnect()));
    }),
  );
  const wallMs = performance.now() - started;
  await admin.deleteTopics({ topics: ['in', 'q', 'e', 'p', 's'].map((x) => `${t}-${x}`) }).catch(() => undefined);
  await admin.disconnect();
  totals.sort((x, y) => x - y);
  const n = totals.length;
  const f = (x) => x.toFixed(1);
  return `| ${tasks} | ${ids} | ${Math.round((tasks * N * 1000) / wallMs)} | ${f(totals.reduce((s, x) => s + x, 0) / n)} | ${f(totals[n >> 1])} | ${f(totals[Math.floor(n * 0.99)])} | ${f(phases.send / n)} | ${f(phases.offsets / n)} | ${f(phases.commit / n)} |`;
}

async function main() {
  const external = process.env.KAFKA_BROKERS;
  if (!external) {
    native.wipe({ port: PORT });
    await native.start({ port: PORT });
  }
  try {
    const kafka = new Kafka({ brokers: (external || `127.0.0.1:${PORT}`).split(','), clientId: 'tx-bench', logLevel: logLevel.NOTHING });
    // A first pass warms the broker's JIT; its figures are not printed.
    await run(kafka, 6, 2);
    console.log(`| tasks at once | transactional ids per task | transactions/s | mean ms | p50 ms | p99 ms | send ms | offsets ms | commit ms |`);
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const [tasks, ids] of [[1, 1], [1, 2], [6, 1], [6, 2]]) console.log(await run(kafka, tasks, ids));
  } finally {
    if (!external) {
      await native.stop({ port: PORT });
      native.wipe({ port: PORT });
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
