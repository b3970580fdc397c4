/**
 * Correctness basics of @platformatic/kafka that an exactly-once runtime relies on (run under Node 24):
 *   node bench/kip/checks.mjs
 * 1. a read_committed consumer does not see aborted records (a read_uncommitted one does);
 * 2. a producer fenced by another InitProducerId on its transactional id fails its transaction;
 * 3. concurrent addOffset calls in one transaction: which offsets land;
 * 4. rebalance: which events a member gets when a second member joins (and their payloads);
 * 5. a custom partition assigner is called and its assignment applied;
 * 6. compression codecs: each of gzip/snappy/lz4/zstd produced and read back by @platformatic/kafka, and
 *    read by kafkajs 2.2.4 (which ships gzip only).
 * Prints one line per check: PASS/FAIL/INFO and what was seen. Uses KAFKA_BROKERS or its own broker.
 */
import { Admin, Consumer, Producer, stringSerializers, stringDeserializers, FetchIsolationLevels } from '@platformatic/kafka';
import { kafkajs, withBroker, pltRetry, runtime, sleep } from './common.mjs';

const results = [];
const report = (status, name, detail) => {
  results.push(status);
  console.log(`${status} ${name}: ${detail}`);
};

async function readAll(brokers, topic, isolationLevel, expectedAtLeast, ms = 4000) {
  const consumer = new Consumer({ clientId: 'kip-check', groupId: `g-${Math.random().toString(36).slice(2)}`, bootstrapBrokers: brokers, deserializers: stringDeserializers, maxWaitTime: 100, autocommit: false, isolationLevel });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  const seen = [];
  const deadline = Date.now() + ms;
  stream.on('data', (m) => seen.push(m.value));
  while (Date.now() < deadline && seen.length < expectedAtLeast) await sleep(50);
  await sleep(300); // anything more that would arrive
  await stream.close();
  await consumer.close(true);
  return seen;
}

await withBroker(async (brokers) => {
  console.log(runtime());
  const tag = `kipchk-${Date.now().toString(36)}`;
  const admin = new Admin({ clientId: 'kip-check', bootstrapBrokers: brokers });
  const T = (x) => `${tag}-${x}`;
  await admin.createTopics({ topics: [T('iso'), T('fence'), T('in'), T('out'), T('reb'), ...['gzip', 'snappy', 'lz4', 'zstd'].map(T)], partitions: 6, replicas: 1 });

  // 1. Aborted records are invisible to read_committed.
  {
    const p = new Producer({ clientId: 'kip-check', bootstrapBrokers: brokers, idempotent: true, transactionalId: T('iso-tx'), serializers: stringSerializers, ...pltRetry });
    let tx = await p.beginTransaction();
    await tx.send({ messages: Array.from({ length: 5 }, (_, i) => ({ topic: T('iso'), value: `aborted-${i}`, partition: i })) });
    await tx.abort();
    tx = await p.beginTransaction();
    await tx.send({ messages: Array.from({ length: 5 }, (_, i) => ({ topic: T('iso'), value: `committed-${i}`, partition: i })) });
    await tx.commit();
    await p.close();
    const rc = await readAll(brokers, T('iso'), FetchIsolationLevels.READ_COMMITTED, 5);
    const ru = await readAll(brokers, T('iso'), FetchIsolationLevels.READ_UNCOMMITTED, 10);
    const ok = rc.length === 5 && rc.every((v) => v.startsWith('committed')) && ru.length === 10;
    report(ok ? 'PASS' : 'FAIL', 'read_committed hides aborted records', `read_committed saw ${rc.length} (${[...new Set(rc.map((v) => v.split('-')[0]))]}), read_uncommitted saw ${ru.length}`);
  }

  // 2. Fencing: a second producer initialises the same transactional id while the first is mid-transaction.
  {
    const id = T('fence-tx');
    const a = new Producer({ clientId: 'kip-check-a', bootstrapBrokers: brokers, idempotent: true, transactionalId: id, serializers: stringSerializers, ...pltRetry });
    // 2a. Taking over a transactional id another producer used, with default options: InitProducerId is sent
    // with producerId 0 / epoch 0 instead of -1 / -1, which the coordinator answers with PRODUCER_FENCED.
    {
      const warm = await a.beginTransaction();
      await warm.send({ messages: [{ topic: T('fence'), value: 'a-committed', partition: 2 }] });
      await warm.commit();
      const d = new Producer({ clientId: 'kip-check-d', bootstrapBrokers: brokers, idempotent: true, transactionalId: id, serializers: stringSerializers, retries: 0 });
      let takeoverErr;
      try {
        const t = await d.beginTransaction();
        await t.abort();
      } catch (e) {
        takeoverErr = e;
      }
      await d.close().catch(() => undefined);
      report(takeoverErr ? 'FAIL' : 'PASS', 'a new producer takes over a used transactional id (default options)', takeoverErr ? `${takeoverErr.code} ${(takeoverErr.errors || []).map((x) => x.apiId).join(',')}: InitProducerId carries producerId 0 / epoch 0; workaround: construct the Producer with producerId: -1n, producerEpoch: -1` : 'ok');
    }
    const b = new Producer({ clientId: 'kip-check-b', bootstrapBrokers: brokers, idempotent: true, transactionalId: id, serializers: stringSerializers, producerId: -1n, producerEpoch: -1, ...pltRetry });
    const txa = await a.beginTransaction();
    await txa.send({ messages: [{ topic: T('fence'), value: 'zombie', partition: 0 }] });
    const epochA = a.producerEpoch;
    const txb = await b.beginTransaction(); // InitProducerId: bumps the epoch, aborts a's open transaction
    let sendErr;
    let commitErr;
    try {
      await txa.send({ messages: [{ topic: T('fence'), value: 'zombie-2', partition: 1 }] });
    } catch (e) {
      sendErr = e;
    }
    try {
      await txa.commit();
    } catch (e) {
      commitErr = e;
    }
    await txb.send({ messages: [{ topic: T('fence'), value: 'owner', partition: 0 }] });
    await txb.commit();
    const seen = await readAll(brokers, T('fence'), FetchIsolationLevels.READ_COMMITTED, 2);
    const describe = (e) => (e ? `${e.code || e.name}: ${[e.message, ...(e.errors || []).map((x) => x.apiCode ?? x.apiId ?? x.message)].join(' / ')}`.slice(0, 200) : 'no error');
    const ok = !!commitErr && seen.length === 2 && seen.includes('owner') && seen.includes('a-committed');
    report(ok ? 'PASS' : 'FAIL', 'fenced producer errors out (new owner built with producerId -1n / epoch -1)', `epoch a=${epochA} b=${b.producerEpoch}; zombie send -> ${describe(sendErr)}; zombie commit -> ${describe(commitErr)}; read_committed sees ${JSON.stringify(seen)}`);
    await a.close().catch(() => undefined);
    await b.close();
  }

  // 3. Concurrent addOffset on one transaction (6 partitions at once) vs sequential.
  {
    const consumer = new Consumer({ clientId: 'kip-check', groupId: T('grp'), bootstrapBrokers: brokers, heartbeatInterval: 500, sessionTimeout: 10_000, maxWaitTime: 200, autocommit: false });
    const stream = await consumer.consume({ topics: [T('in')], mode: 'earliest' });
    stream.on('data', () => undefined);
    while (!consumer.memberId || consumer.coordinatorId === null) await sleep(50);
    const p = new Producer({ clientId: 'kip-check', bootstrapBrokers: brokers, idempotent: true, transactionalId: T('off-tx'), serializers: stringSerializers, ...pltRetry });
    const msg = (partition, offset) => ({ topic: T('in'), partition, offset: BigInt(offset), metadata: { consumer: { groupId: consumer.groupId, memberId: consumer.memberId, generationId: consumer.generationId, coordinatorId: consumer.coordinatorId } } });
    const tx = await p.beginTransaction();
    await tx.send({ messages: [{ topic: T('out'), value: 'x', partition: 0 }] });
    await tx.addConsumer(consumer);
    await Promise.all([0, 1, 2, 3, 4, 5].map((part) => tx.addOffset(msg(part, 9 + part))));
    await tx.commit();
    await sleep(500);
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic: T('in'), partitions: [0, 1, 2, 3, 4, 5] }] })).get(T('in')).map(Number);
    const all = committed.every((o, i) => o === 10 + i);
    report(all ? 'PASS' : 'INFO', 'concurrent addOffset x6 in one transaction', `committed offsets ${JSON.stringify(committed)} (asked for [10..15]); ${all ? 'all landed' : 'only some landed: calls in flight together are deduplicated into one TxnOffsetCommit, so a runtime must call addOffset sequentially or batch them itself'}`);

    // A stale generation is refused (what KIP-447 adds over the group-id-only commit).
    const tx2 = await p.beginTransaction();
    await tx2.send({ messages: [{ topic: T('out'), value: 'y', partition: 0 }] });
    await tx2.addConsumer(consumer);
    let staleErr;
    try {
      const m = msg(0, 20);
      m.metadata.consumer.generationId = consumer.generationId + 5;
      await tx2.addOffset(m);
    } catch (e) {
      staleErr = e;
    }
    await tx2.abort().catch(() => undefined);
    report(staleErr ? 'PASS' : 'FAIL', 'TxnOffsetCommit with a wrong generation is refused', staleErr ? `${staleErr.code}: ${[staleErr.message, ...(staleErr.errors || []).map((x) => x.message)].join(' / ').slice(0, 200)}` : 'accepted');

    // KIP-447's other half: while a transaction holding an offset commit is open, what does a new owner read?
    const tx3 = await p.beginTransaction();
    await tx3.send({ messages: [{ topic: T('out'), value: 'z', partition: 0 }] });
    await tx3.addConsumer(consumer);
    await tx3.addOffset(msg(0, 29)); // pending: 30
    const consumerView = (await consumer.listCommittedOffsets({ topics: [{ topic: T('in'), partitions: [0] }] })).get(T('in'))[0];
    const stableAdmin = new Admin({ clientId: 'kip-check', bootstrapBrokers: brokers, retries: 0 });
    let stableView;
    try {
      const [g] = await stableAdmin.listConsumerGroupOffsets({ groups: [consumer.groupId], requireStable: true });
      stableView = JSON.stringify(g.topics?.[0]?.partitions?.[0]?.committedOffset?.toString() ?? g);
    } catch (e) {
      const codes = (x) => [x.apiId, ...(x.errors || []).flatMap(codes)].filter(Boolean);
      stableView = `${e.code} [${[...new Set(codes(e))].join(', ')}]: ${e.message}`;
    }
    await stableAdmin.close();
    await tx3.commit();
    report('INFO', 'offset fetch during an open transaction (KIP-447 require_stable)', `consumer.listCommittedOffsets (the consumer's own OffsetFetch, require_stable=false) -> ${consumerView} (stale; pending 30); Admin.listConsumerGroupOffsets requireStable:true -> ${stableView}`);
    await p.close();
    await stream.close();
    await consumer.close(true);
  }

  // 4 + 5. Rebalance events and a custom assigner.
  {
    let assignerCalls = 0;
    const events = { c1: [], c2: [] };
    // Custom assigner: partition p of every topic to member (p mod members), members sorted by id.
    const assigner = (_current, members, topics, metadata) => {
      assignerCalls++;
      const ids = [...members.keys()].sort();
      const out = ids.map((memberId) => ({ memberId, assignments: new Map() }));
      for (const topic of topics) {
        const count = metadata.topics.get(topic).partitionsCount;
        for (let p = 0; p < count; p++) {
          const a = out[p % ids.length].assignments;
          if (!a.has(topic)) a.set(topic, { topic, partitions: [] });
          a.get(topic).partitions.push(p);
        }
      }
      return out;
    };
    const mk = (name) => {
      const c = new Consumer({ clientId: `kip-check-${name}`, groupId: T('reb-grp'), bootstrapBrokers: brokers, heartbeatInterval: 300, sessionTimeout: 6000, rebalanceTimeout: 6000, maxWaitTime: 200, autocommit: false, partitionAssigner: assigner });
      for (const ev of ['consumer:group:join', 'consumer:group:leave', 'consumer:group:rejoin', 'consumer:group:rebalance']) {
        c.on(ev, (payload) => events[name].push(`${ev.replace('consumer:group:', '')}${payload?.assignments ? ' ' + JSON.stringify(payload.assignments.map((a) => a.partitions)) : ''}${payload?.generationId !== undefined ? ' gen ' + payload.generationId : ''}`));
      }
      return c;
    };
    const c1 = mk('c1');
    const s1 = await c1.consume({ topics: [T('reb')], mode: 'earliest' });
    s1.on('data', () => undefined);
    await sleep(1500);
    const c2 = mk('c2');
    const s2 = await c2.consume({ topics: [T('reb')], mode: 'earliest' });
    s2.on('data', () => undefined);
    await sleep(3000);
    const a1 = JSON.stringify(c1.assignments?.map((a) => a.partitions));
    const a2 = JSON.stringify(c2.assignments?.map((a) => a.partitions));
    await s2.close();
    await c2.close();
    await sleep(2500);
    report('INFO', 'rebalance events, member 1', events.c1.join(' | '));
    report('INFO', 'rebalance events, member 2', events.c2.join(' | '));
    const ok = assignerCalls > 0 && ((a1 === '[[0,2,4]]' && a2 === '[[1,3,5]]') || (a1 === '[[1,3,5]]' && a2 === '[[0,2,4]]'));
    report(ok ? 'PASS' : 'FAIL', 'custom partitionAssigner', `called ${assignerCalls} times; with two members: ${a1} and ${a2}`);
    await s1.close();
    await c1.close();
  }

  // 6. Compression codecs.
  {
    const kafka = new kafkajs.Kafka({ brokers, clientId: 'kip-check', logLevel: kafkajs.logLevel.NOTHING });
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      let produced = 'ok';
      try {
        const p = new Producer({ clientId: 'kip-check', bootstrapBrokers: brokers, serializers: stringSerializers, compression: codec });
        await p.send({ messages: Array.from({ length: 20 }, (_, i) => ({ topic: T(codec), value: `${codec}-${i}-${'z'.repeat(200)}`, partition: 0 })) });
        await p.close();
      } catch (e) {
        produced = `${e.code || e.name}: ${e.message}`;
      }
      const back = produced === 'ok' ? await readAll(brokers, T(codec), FetchIsolationLevels.READ_COMMITTED, 20) : [];
      // kafkajs reads the same topic.
      let kjs;
      const consumer = kafka.consumer({ groupId: `${T(codec)}-kjs`, maxWaitTimeInMs: 100 });
      try {
        let count = 0;
        let crash;
        consumer.on(consumer.events.CRASH, (e) => (crash = e.payload.error));
        await consumer.connect();
        await consumer.subscribe({ topics: [T(codec)], fromBeginning: true });
        await consumer.run({ eachMessage: async () => void count++ });
        const deadline = Date.now() + 4000;
        while (Date.now() < deadline && count < 20 && !crash) await sleep(50);
        kjs = crash ? `fails: ${crash.message}` : `${count}/20`;
      } catch (e) {
        kjs = `fails: ${e.message}`;
      } finally {
        await consumer.disconnect().catch(() => undefined);
      }
      const ok = produced === 'ok' && back.length === 20;
      report(ok ? 'PASS' : 'FAIL', `codec ${codec}`, `@platformatic/kafka produce ${produced}, read back ${back.length}/20; kafkajs 2.2.4 reads ${kjs}`);
    }
  }
  await admin.close();
}).then(
  () => {
    console.log(`${results.filter((r) => r === 'PASS').length} passed, ${results.filter((r) => r === 'FAIL').length} failed`);
    process.exit(results.includes('FAIL') ? 1 : 0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
