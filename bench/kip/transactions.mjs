/**
 * What one consume-transform-produce transaction costs with kafkajs and with @platformatic/kafka, in the
 * runtime's current shape and in the KIP-447 shape:
 *   node bench/kip/transactions.mjs            (@platformatic/kafka needs Node >= 22.22: run it under Node 24)
 *
 * A transaction carries N output records per input partition it covers (N = each of KIP_TX_RECORDS, default
 * "1,100") plus the input offsets, on a 6-partition input topic, like bench/tools/transactions.js but with
 * N inputs -> N outputs instead of the lead agent's fixed 1 -> 10. Rows:
 *   kafkajs a       6 partition-tasks at once, each with two transactional ids used in turn (what
 *                   libs/common/src/agent/task.ts does): sendBatch, sendOffsets (group id only), commit.
 *   platformatic a  the same shape with @platformatic/kafka: send, addConsumer, addOffset (generation -1,
 *                   no member id: the pre-KIP-447 TxnOffsetCommit), commit.
 *   platformatic b  KIP-447: ONE transactional producer for the instance, one transaction covering all 6
 *                   partitions; offsets carry the live consumer's generation and member id, through the
 *                   public API (addOffset once per partition: one TxnOffsetCommit round trip each).
 *   platformatic b1 the same, the 6 offsets in ONE TxnOffsetCommit request (the client's exported low-level
 *                   API; what sendOffsetsToTransaction does in the Java client).
 *   kafkajs b*      reference only, NOT zombie-safe: one kafkajs transactional producer committing all 6
 *                   partitions without generation/member id (what KIP-447 makes safe; kafkajs cannot).
 * Per row: transactions/s, input records/s (wall), mean/p50/p99 ms per transaction and the mean of each
 * phase (send = AddPartitionsToTxn + Produce; offsets = AddOffsetsToTxn + TxnOffsetCommit(s); commit = EndTxn).
 * KIP_TX_N transactions per producer loop (default 200; the first 10 are left out of the latency figures).
 * Uses KAFKA_BROKERS or starts its own native broker (see common.mjs).
 */
import { performance } from 'node:perf_hooks';
import { Admin, Consumer, Producer, kGetApi, kGetConnection, kMetadata } from '@platformatic/kafka';
import { kafkajs, withBroker, pltRetry, runtime } from './common.mjs';

const N_TX = Number(process.env.KIP_TX_N || 200);
const RECORDS = (process.env.KIP_TX_RECORDS || '1,100').split(',').map(Number);
const ROWS = (process.env.KIP_TX_ROWS || 'kafkajs-a,platformatic-a,platformatic-b,platformatic-b1,kafkajs-b*').split(',');
const PARTITIONS = 6;
const WARMUP = 10;
const VALUE = Buffer.from(JSON.stringify({ id: 'x'.repeat(24), payload: 'y'.repeat(360) }));

const cb2p = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

class Stats {
  constructor() {
    this.totals = [];
    this.send = 0;
    this.offsets = 0;
    this.commit = 0;
  }
  add(i, a, b, c, d) {
    if (i < WARMUP) return;
    this.send += b - a;
    this.offsets += c - b;
    this.commit += d - c;
    this.totals.push(d - a);
  }
  row(name, n, txCount, inputs, wallMs) {
    const t = [...this.totals].sort((x, y) => x - y);
    const k = t.length;
    const f = (x) => x.toFixed(1);
    return `| ${name} | ${n} | ${Math.round((txCount * 1000) / wallMs)} | ${Math.round((inputs * 1000) / wallMs)} | ${f(t.reduce((s, x) => s + x, 0) / k)} | ${f(t[k >> 1])} | ${f(t[Math.floor(k * 0.99)])} | ${f(this.send / k)} | ${f(this.offsets / k)} | ${f(this.commit / k)} |`;
  }
}

async function topics(brokers, tag) {
  const admin = new Admin({ clientId: 'kip-tx-admin', bootstrapBrokers: brokers });
  const names = { in: `${tag}-in`, out: `${tag}-out` };
  await admin.createTopics({ topics: Object.values(names), partitions: PARTITIONS, replicas: 1 });
  await admin.close();
  return names;
}

/** A consumer that has joined the group on the (empty) input topic: its generation and member id are live. */
async function groupMember(brokers, group, inTopic) {
  const consumer = new Consumer({ clientId: 'kip-tx-consumer', groupId: group, bootstrapBrokers: brokers, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTime: 500 });
  const stream = await consumer.consume({ topics: [inTopic], mode: 'committed', fallbackMode: 'earliest' });
  stream.on('data', () => undefined);
  for (let i = 0; i < 200 && !(consumer.memberId && consumer.generationId > 0 && consumer.coordinatorId !== null); i++) await new Promise((r) => setTimeout(r, 50));
  return { consumer, stream };
}

const offsetMessage = (topic, partition, offset, consumer, { generation = true } = {}) => ({
  topic,
  partition,
  offset: BigInt(offset),
  metadata: {
    consumer: generation
      ? { groupId: consumer.groupId, memberId: consumer.memberId, generationId: consumer.generationId, coordinatorId: consumer.coordinatorId }
      : { groupId: consumer.groupId, memberId: '', generationId: -1, coordinatorId: consumer.coordinatorId },
  },
});

function pltProducer(brokers, transactionalId) {
  return new Producer({ clientId: 'kip-tx', bootstrapBrokers: brokers, idempotent: true, transactionalId, ...pltRetry });
}

/** One TxnOffsetCommit for all the partitions, through the exported low-level API (KIP-447 fields set). */
async function txnOffsetCommitAll(producer, consumer, topic, offsets) {
  const api = await cb2p((cb) => producer[kGetApi]('TxnOffsetCommit', cb));
  const md = await cb2p((cb) => producer[kMetadata]({ topics: [topic] }, cb));
  const conn = await cb2p((cb) => producer[kGetConnection](md.brokers.get(consumer.coordinatorId), cb));
  const partitions = offsets.map(([partition, offset]) => ({ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: md.topics.get(topic).partitions[partition].leaderEpoch }));
  const res = await cb2p((cb) => api(conn, producer.transaction.id, consumer.groupId, producer.producerId, producer.producerEpoch, consumer.generationId, consumer.memberId, null, [{ name: topic, partitions }], cb));
  for (const t of res.topics) for (const p of t.partitions) if (p.errorCode) throw new Error(`TxnOffsetCommit ${t.name}-${p.partitionIndex}: error ${p.errorCode}`);
}

async function runRow(brokers, row, n) {
  const tag = `kiptx-${row.replace(/\W/g, '')}-${n}-${Date.now().toString(36)}`;
  const t = await topics(brokers, tag);
  const group = `${tag}-group`;
  const { consumer, stream } = await groupMember(brokers, group, t.in);
  const stats = new Stats();
  let txCount = 0;
  let inputs = 0;
  const outputs = (part) => Array.from({ length: n }, (_, j) => ({ topic: t.out, partition: part, key: Buffer.from(`k${j}`), value: VALUE }));
  const started = performance.now();
  try {
    if (row === 'kafkajs-a' || row === 'kafkajs-b*') {
      const kafka = new kafkajs.Kafka({ brokers, clientId: 'kip-tx', logLevel: kafkajs.logLevel.NOTHING });
      const perInstance = row === 'kafkajs-b*';
      const tasks = perInstance ? 1 : PARTITIONS;
      const ids = perInstance ? 1 : 2;
      await Promise.all(
        Array.from({ length: tasks }, async (_, part) => {
          const producers = [];
          for (let i = 0; i < ids; i++) {
            const p = kafka.producer({ transactionalId: `${tag}-task-${part}-${i}`, idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 5, maxRetryTime: 1000 } });
            await p.connect();
            producers.push(p);
          }
          for (let i = 0; i < N_TX; i++) {
            const parts = perInstance ? [0, 1, 2, 3, 4, 5] : [part];
            const tx = await producers[i % ids].transaction();
            const a = performance.now();
            await tx.sendBatch({ acks: -1, topicMessages: [{ topic: t.out, messages: parts.flatMap(outputs) }] });
            const b = performance.now();
            await tx.sendOffsets({ consumerGroupId: group, topics: [{ topic: t.in, partitions: parts.map((p) => ({ partition: p, offset: String((i + 1) * n) })) }] });
            const c = performance.now();
            await tx.commit();
            stats.add(i, a, b, c, performance.now());
            txCount++;
            inputs += n * parts.length;
          }
          await Promise.all(producers.map((p) => p.disconnect()));
        }),
      );
    } else if (row === 'platformatic-a') {
      await Promise.all(
        Array.from({ length: PARTITIONS }, async (_, part) => {
          const producers = [pltProducer(brokers, `${tag}-task-${part}-0`), pltProducer(brokers, `${tag}-task-${part}-1`)];
          for (let i = 0; i < N_TX; i++) {
            const tx = await producers[i % 2].beginTransaction();
            const a = performance.now();
            await tx.send({ messages: outputs(part) });
            const b = performance.now();
            await tx.addConsumer(consumer);
            await tx.addOffset(offsetMessage(t.in, part, (i + 1) * n - 1, consumer, { generation: false }));
            const c = performance.now();
            await tx.commit();
            stats.add(i, a, b, c, performance.now());
            txCount++;
            inputs += n;
          }
          await Promise.all(producers.map((p) => p.close()));
        }),
      );
    } else if (row === 'platformatic-b' || row === 'platformatic-b1') {
      const producer = pltProducer(brokers, `${tag}-instance`);
      const all = [0, 1, 2, 3, 4, 5];
      for (let i = 0; i < N_TX; i++) {
        const tx = await producer.beginTransaction();
        const a = performance.now();
        await tx.send({ messages: all.flatMap(outputs) });
        const b = performance.now();
        await tx.addConsumer(consumer);
        if (row === 'platformatic-b1') {
          await txnOffsetCommitAll(producer, consumer, t.in, all.map((p) => [p, (i + 1) * n]));
        } else {
          // Sequentially: concurrent addOffset calls on one producer are deduplicated into ONE request (the
          // first partition's), so the others would silently not be committed.
          for (const p of all) await tx.addOffset(offsetMessage(t.in, p, (i + 1) * n - 1, consumer));
        }
        const c = performance.now();
        await tx.commit();
        stats.add(i, a, b, c, performance.now());
        txCount++;
        inputs += n * all.length;
      }
      await producer.close();
    } else {
      throw new Error(`unknown row ${row}`);
    }
    const wallMs = performance.now() - started;
    // The offsets really landed: every input partition's committed offset is where the last transaction put it.
    // EndTxn returns before the coordinator has written the markers that make the last offsets visible: poll.
    let got = [];
    for (let i = 0; i < 100; i++) {
      const committed = await consumer.listCommittedOffsets({ topics: [{ topic: t.in, partitions: [0, 1, 2, 3, 4, 5] }] });
      got = committed.get(t.in).map(Number);
      if (got.every((o) => o === N_TX * n)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (got.some((o) => o !== N_TX * n)) throw new Error(`${row}: committed offsets ${got} (expected ${N_TX * n} each)`);
    return stats.row(row, n, txCount, inputs, wallMs);
  } finally {
    await stream.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
    const admin = new Admin({ clientId: 'kip-tx-admin', bootstrapBrokers: brokers });
    await admin.deleteTopics({ topics: [t.in, t.out] }).catch(() => undefined);
    await admin.close();
  }
}

await withBroker(async (brokers) => {
  console.log(`${runtime()}, kafkajs ${kafkajs.PartitionAssigners ? '2.2.4' : '?'}, ${N_TX} transactions per producer loop`);
  // A first pass warms the broker's JIT; its figures are not printed.
  await runRow(brokers, 'platformatic-a', 1);
  console.log('| client / shape | N per partition | transactions/s | input records/s | mean ms | p50 ms | p99 ms | send ms | offsets ms | commit ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of RECORDS) for (const row of ROWS) console.log(await runRow(brokers, row, n));
}).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
