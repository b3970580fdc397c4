/**
 * Drains a backlog with consume-transform-produce transactions, per client and design:
 *   node bench/kip/drain.mjs MODE[,MODE...]
 * MODE (the @platformatic/kafka modes need Node >= 22.22: run them under Node 24):
 *   kafkajs-plain      kafkajs consumer group, eachBatch, autoCommit, read_committed, count only (ceiling)
 *   kafkajs-tx         the runtime's current design, as a simple loop: eachBatch with
 *                      partitionsConsumedConcurrently 6; per input partition two transactional ids used in
 *                      turn; each chunk of at most 500 records of a batch is transformed and committed in one
 *                      transaction (outputs + the partition's offset, sendOffsets by group id)
 *   platformatic-plain @platformatic/kafka consumer stream, autocommit, read_committed, count only (ceiling)
 *   platformatic-tx    ONE consumer stream and ONE transactional producer for the instance (KIP-447): records
 *                      are buffered as they arrive; a transaction is cut at 500 records or 50 ms after the
 *                      previous one began, whichever comes first, and carries the outputs of all partitions it
 *                      covers plus their offsets with the consumer's generation and member id (addOffset once
 *                      per partition, sequentially: the public API)
 *   platformatic-tx1   the same, the offsets of all partitions in ONE TxnOffsetCommit (exported low-level API)
 *   platformatic-tx-task @platformatic/kafka in the runtime's current shape: per input partition a loop with
 *                      two transactional producers used in turn, same 500 records / 50 ms cut, one consumer
 * The transform: JSON.parse the input, a small computation, JSON.stringify one output per input, same key,
 * same partition number on the output topic.
 * Backlog: KIP_DRAIN_RECORDS (default 100000) JSON records of ~300 bytes on a 6-partition topic, written once
 * per invocation; each run uses a fresh group and output topic. KIP_DRAIN_RUNS runs per mode (default 3),
 * interleaved across the modes.
 * Rate = records committed / time from the first record received to the commit that completes the backlog.
 * At the end of every run the group's committed offsets must sum to the backlog (checked).
 * Uses KAFKA_BROKERS or starts its own native broker (see common.mjs).
 */
import { performance } from 'node:perf_hooks';
import { kafkajs, withBroker, pltRetry, runtime, mmm } from './common.mjs';

const RECORDS = Number(process.env.KIP_DRAIN_RECORDS || 100_000);
const RUNS = Number(process.env.KIP_DRAIN_RUNS || 3);
const CHUNK = Number(process.env.KIP_DRAIN_CHUNK || 500);
const LINGER_MS = Number(process.env.KIP_DRAIN_LINGER_MS || 50);
const TIMEOUT_MS = Number(process.env.KIP_DRAIN_TIMEOUT_MS || 300_000);
const PARTITIONS = 6;
const modes = (process.argv[2] || 'kafkajs-plain,kafkajs-tx').split(',');

const cb2p = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

/** JSON parse + a small computation + JSON stringify: one output per input. */
function transform(buf) {
  const lead = JSON.parse(buf.toString());
  let h = 0;
  for (let i = 0; i < lead.email.length; i++) h = (h * 31 + lead.email.charCodeAt(i)) | 0;
  const score = (Math.abs(h) % 100) + (lead.source === 'web' ? 10 : 0) + Math.min(lead.items.length, 5);
  return Buffer.from(JSON.stringify({ id: lead.id, score, tier: score > 70 ? 'hot' : score > 40 ? 'warm' : 'cold', at: lead.at }));
}

async function produceBacklog(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const batch = 5000;
  for (let i = 0; i < RECORDS; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + batch); j++) {
      const id = `lead-${j.toString().padStart(8, '0')}`;
      messages.push({ key: id, value: JSON.stringify({ id, email: `user${j}@example.com`, source: j % 3 ? 'web' : 'partner', items: Array.from({ length: j % 7 }, (_, k) => ({ sku: `sku-${k}`, qty: k + 1 })), at: new Date(1_700_000_000_000 + j * 1000).toISOString(), note: 'n'.repeat(80) }) });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

async function committedSum(kafka, group, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let sum = 0;
    for (let i = 0; i < 100; i++) {
      const [res] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      sum = res.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      if (sum >= RECORDS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return sum;
  } finally {
    await admin.disconnect();
  }
}

async function createOut(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
}

/** Resolves when done() is called; rejects on timeout. */
function completion() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
  const timer = setTimeout(() => reject(new Error(`did not drain in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  return { promise, done: () => (clearTimeout(timer), resolve()), fail: (e) => (clearTimeout(timer), reject(e)) };
}

async function kafkajsRun(kafka, mode, topic, tag) {
  const group = `${tag}-group`;
  const out = `${tag}-out`;
  const tx = mode === 'kafkajs-tx';
  if (tx) await createOut(kafka, out);
  const consumer = kafka.consumer({ groupId: group, readUncommitted: false, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
  const producers = new Map();
  const turns = new Map();
  if (tx) {
    for (let p = 0; p < PARTITIONS; p++) {
      const pair = [0, 1].map((i) => kafka.producer({ transactionalId: `${tag}-task-${p}-${i}`, idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 5, maxRetryTime: 1000 } }));
      await Promise.all(pair.map((x) => x.connect()));
      producers.set(p, pair);
      turns.set(p, 0);
    }
  }
  const end = completion();
  let first;
  let last;
  let n = 0;
  let transactions = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: !tx,
    eachBatchAutoResolve: !tx,
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0) return;
      first ??= performance.now();
      if (!tx) {
        n += batch.messages.length;
      } else {
        const p = batch.partition;
        for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += CHUNK) {
          const chunk = batch.messages.slice(i, i + CHUNK);
          const outputs = chunk.map((m) => ({ key: m.key, value: transform(m.value), partition: p }));
          const pair = producers.get(p);
          const turn = turns.get(p);
          turns.set(p, (turn + 1) % 2);
          const t = await pair[turn].transaction();
          try {
            await t.sendBatch({ acks: -1, topicMessages: [{ topic: out, messages: outputs }] });
            await t.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: p, offset: String(BigInt(chunk[chunk.length - 1].offset) + 1n) }] }] });
            await t.commit();
          } catch (err) {
            await t.abort().catch(() => undefined);
            end.fail(err);
            throw err;
          }
          transactions++;
          resolveOffset(chunk[chunk.length - 1].offset);
          n += chunk.length;
          await heartbeat();
        }
      }
      last = performance.now();
      if (n >= RECORDS) end.done();
    },
  });
  try {
    await end.promise;
  } finally {
    await consumer.disconnect();
    await Promise.all([...producers.values()].flat().map((p) => p.disconnect()));
  }
  const committed = await committedSum(kafka, group, topic);
  if (committed !== RECORDS) throw new Error(`${mode}: committed offsets sum to ${committed}, expected ${RECORDS}`);
  return { rate: (n * 1000) / (last - first), transactions, perTx: transactions ? n / transactions : null };
}

async function platformaticRun(kafka, mode, topic, tag) {
  const { Consumer, Producer, kGetApi, kGetConnection, kMetadata } = await import('@platformatic/kafka');
  const brokers = kafka.brokersForPlatformatic;
  const group = `${tag}-group`;
  const out = `${tag}-out`;
  const tx = mode !== 'platformatic-plain';
  if (tx) await createOut(kafka, out);
  const consumer = new Consumer({ clientId: 'kip-drain', groupId: group, bootstrapBrokers: brokers, maxWaitTime: 50, sessionTimeout: 30_000, heartbeatInterval: 3000, autocommit: !tx });
  const perTask = mode === 'platformatic-tx-task';
  const mkProducer = (id) => new Producer({ clientId: 'kip-drain', bootstrapBrokers: brokers, idempotent: true, transactionalId: id, producerId: -1n, producerEpoch: -1, ...pltRetry });
  // One producer for the instance, or (per-task) two per input partition used in turn.
  const producers = !tx ? [] : perTask ? Array.from({ length: PARTITIONS }, (_, p) => [mkProducer(`${tag}-task-${p}-0`), mkProducer(`${tag}-task-${p}-1`)]) : [[mkProducer(`${tag}-instance`)]];
  const end = completion();
  let first;
  let last;
  let n = 0;
  let transactions = 0;
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: tx ? false : 100 });
  const buffers = producers.map(() => []);
  const wakes = producers.map(() => undefined);
  let buffered = 0;
  stream.on('error', (err) => end.fail(err));
  stream.on('data', (m) => {
    first ??= performance.now();
    if (!tx) {
      if (++n >= RECORDS) {
        last = performance.now();
        end.done();
      }
      return;
    }
    const k = perTask ? m.partition : 0;
    buffers[k].push(m);
    if (++buffered >= 4 * CHUNK * buffers.length) stream.pause();
    if (wakes[k] && buffers[k].length >= CHUNK) wakes[k]();
  });
  const commitAll = async (producer, t, lastByPartition) => {
    if (mode === 'platformatic-tx1') {
      const api = await cb2p((cb) => producer[kGetApi]('TxnOffsetCommit', cb));
      const md = await cb2p((cb) => producer[kMetadata]({ topics: [topic] }, cb));
      const conn = await cb2p((cb) => producer[kGetConnection](md.brokers.get(consumer.coordinatorId), cb));
      const m0 = lastByPartition.values().next().value.metadata.consumer;
      const partitions = [...lastByPartition.values()].map((m) => ({ partitionIndex: m.partition, committedOffset: m.offset + 1n, committedLeaderEpoch: m.leaderEpoch }));
      const res = await cb2p((cb) => api(conn, t.id, group, producer.producerId, producer.producerEpoch, m0.generationId, m0.memberId, null, [{ name: topic, partitions }], cb));
      for (const x of res.topics) for (const p of x.partitions) if (p.errorCode) throw new Error(`TxnOffsetCommit error ${p.errorCode}`);
    } else {
      // Not concurrently: addOffset calls in flight together on one producer are deduplicated into one request.
      for (const m of lastByPartition.values()) await t.addOffset(m);
    }
  };
  const loop = async (k) => {
    const buffer = buffers[k];
    let turn = 0;
    let lastBegin = performance.now();
    while (n < RECORDS) {
      if (buffer.length < CHUNK) {
        const wait = Math.max(0, LINGER_MS - (performance.now() - lastBegin));
        await new Promise((r) => {
          wakes[k] = r;
          setTimeout(r, buffer.length > 0 ? wait : LINGER_MS);
        });
        wakes[k] = undefined;
        if (n >= RECORDS) break;
        if (buffer.length === 0 || (buffer.length < CHUNK && performance.now() - lastBegin < LINGER_MS)) continue;
      }
      lastBegin = performance.now();
      const chunk = buffer.splice(0, CHUNK);
      buffered -= chunk.length;
      if (stream.isPaused() && buffered < 2 * CHUNK * buffers.length) stream.resume();
      const producer = producers[k][turn];
      turn = (turn + 1) % producers[k].length;
      const lastByPartition = new Map();
      const messages = chunk.map((m) => {
        lastByPartition.set(m.partition, m);
        return { topic: out, key: m.key, value: transform(m.value), partition: m.partition };
      });
      const t = await producer.beginTransaction();
      try {
        await t.send({ messages });
        await t.addConsumer(consumer);
        await commitAll(producer, t, lastByPartition);
        await t.commit();
      } catch (err) {
        await t.abort().catch(() => undefined);
        throw err;
      }
      transactions++;
      n += chunk.length;
      last = performance.now();
    }
    for (const w of wakes) w?.();
    end.done();
  };
  if (tx) for (let k = 0; k < producers.length; k++) loop(k).catch((err) => end.fail(err));
  try {
    await end.promise;
  } finally {
    await stream.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
    await Promise.all(producers.flat().map((p) => p.close().catch(() => undefined)));
  }
  if (!tx) await new Promise((r) => setTimeout(r, 300)); // the last autocommit
  const committed = await committedSum(kafka, group, topic);
  if (tx && committed !== RECORDS) throw new Error(`${mode}: committed offsets sum to ${committed}, expected ${RECORDS}`);
  return { rate: (n * 1000) / (last - first), transactions, perTx: transactions ? n / transactions : null };
}

await withBroker(async (brokers) => {
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'kip-drain', logLevel: kafkajs.logLevel.NOTHING });
  kafka.brokersForPlatformatic = brokers;
  const tag = `kipdrain-${Date.now().toString(36)}`;
  const topic = `${tag}-in`;
  await produceBacklog(kafka, topic);
  console.log(`${runtime()}: backlog of ${RECORDS} records on ${PARTITIONS} partitions; ${RUNS} runs per mode; chunk ${CHUNK}, linger ${LINGER_MS} ms`);
  console.log('| mode | records/s min / median / max | transactions (median run) | records per transaction | per-run records/s |');
  console.log('| --- | --- | --- | --- | --- |');
  // Runs interleaved (run 1 of every mode, then run 2, ...): the machine's load drifts, this spreads it.
  const byMode = new Map(modes.map((m) => [m, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const mode of modes) {
      const fn = mode.startsWith('kafkajs') ? kafkajsRun : platformaticRun;
      byMode.get(mode).push(await fn(kafka, mode, topic, `${tag}-${mode.replace(/\W/g, '')}-${run}`));
    }
  }
  for (const [mode, results] of byMode) {
    const rates = results.map((r) => r.rate);
    const med = [...results].sort((a, b) => a.rate - b.rate)[(results.length - 1) >> 1];
    console.log(`| ${mode} | ${mmm(rates)} | ${med.transactions || '-'} | ${med.perTx ? med.perTx.toFixed(0) : '-'} | ${rates.map((r) => Math.round(r)).join(', ')} |`);
  }
}).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
