/**
 * The ingress's produce path per client: CPU per record of an idempotent, acks=all producer sending
 * ingress-shaped records (email key, ~300-byte Lead value, nine ce_ headers and content-type, as strings) in requests of
 * KIP_PRODUCE_BATCH records (default 20, what the ingress gathers per request under load), one request in
 * flight, to a 6-partition topic:
 *   kafkajs       kafkajs 2.2.4 with our patch, `sendBatch` as BatchingProducer calls it
 *   platformatic  @platformatic/kafka `Producer.send` with string serializers for key and headers
 *   node bench/kip/produce.mjs            # needs Node >= 22.22 (run it with the project's Node 24)
 *   KIP_PRODUCE_CLIENTS=kafkajs node --cpu-prof bench/kip/produce.mjs   # one client, profiled
 * KIP_PRODUCE_ROUNDS rounds (default 8, the first 2 are warm-up) of KIP_PRODUCE_REQUESTS requests (default
 * 500), interleaved across the clients. CPU = this process's user + system time (process.cpuUsage), so it
 * includes the socket writes and reads but not the broker's work. Prints min / median / max over rounds.
 * Uses KAFKA_BROKERS or starts its own native broker (see common.mjs).
 */
import { performance } from 'node:perf_hooks';
import { Admin, Producer, stringSerializer } from '@platformatic/kafka';
import { kafkajs, withBroker, runtime, mmm } from './common.mjs';

const BATCH = Number(process.env.KIP_PRODUCE_BATCH || 20);
const ROUNDS = Number(process.env.KIP_PRODUCE_ROUNDS || 8);
const WARMUP = 2;
const REQUESTS = Number(process.env.KIP_PRODUCE_REQUESTS || 500);
const topic = `kip-produce-${Date.now()}`;

const value = Buffer.from(
  JSON.stringify({ crmId: 'lead_x', email: 'ada.x@analytical-engines.io', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', companySize: 500, title: 'Head of IT', country: 'GB', phone: '+44 20 7946 0000', source: 'benchmark' }),
);
let seq = 0;
/** A fresh record as the ingress builds one: new strings each time. */
const record = () => {
  const i = seq++;
  const now = new Date().toISOString();
  return {
    key: `ada.${i}@analytical-engines.io`,
    value,
    headers: {
      ce_specversion: '1.0',
      ce_id: `bench-${i}`,
      ce_source: '/webhooks/crm',
      ce_type: 'crm.lead.created',
      ce_time: now,
      ce_receivedat: now,
      ce_deliveryid: `bench-${i}`,
      ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      ce_subject: `lead_${i}`,
      'content-type': 'application/json',
    },
  };
};

const allClients = {
  async kafkajs(brokers) {
    const kafka = new kafkajs.Kafka({ clientId: 'kip-produce', brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    return {
      send: (messages) => producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] }),
      close: () => producer.disconnect(),
    };
  },
  async platformatic(brokers) {
    const producer = new Producer({
      clientId: 'kip-produce',
      bootstrapBrokers: brokers,
      idempotent: true,
      acks: -1,
      serializers: { key: stringSerializer, value: (v) => v, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    return {
      send: (messages) => producer.send({ messages: messages.map((m) => ({ ...m, topic })) }),
      close: () => producer.close(),
    };
  },
};

/** KIP_PRODUCE_CLIENTS=kafkajs runs one client only (e.g. under --cpu-prof). */
const only = process.env.KIP_PRODUCE_CLIENTS?.split(',');
const clients = Object.fromEntries(Object.entries(allClients).filter(([n]) => !only || only.includes(n)));

await withBroker(async (brokers) => {
  const admin = new Admin({ clientId: 'kip-produce-admin', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  await admin.close();
  const open = {};
  for (const [name, make] of Object.entries(clients)) {
    open[name] = await make(brokers);
    for (let i = 0; i < 50; i++) await open[name].send(Array.from({ length: BATCH }, record));
  }
  const results = Object.fromEntries(Object.keys(clients).map((n) => [n, { cpu: [], rate: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(clients) : Object.keys(clients).reverse();
    for (const name of order) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < REQUESTS; i++) await open[name].send(Array.from({ length: BATCH }, record));
      const c = process.cpuUsage(c0);
      const ms = performance.now() - t0;
      if (round < WARMUP) continue;
      results[name].cpu.push((c.user + c.system) / (REQUESTS * BATCH));
      if (process.env.KIP_PRODUCE_SPLIT) console.log(name, `user ${(c.user / (REQUESTS * BATCH)).toFixed(2)} sys ${(c.system / (REQUESTS * BATCH)).toFixed(2)} µs per record`);
      results[name].rate.push((REQUESTS * BATCH) / (ms / 1000));
    }
  }
  for (const c of Object.values(open)) await c.close();
  console.log(`${runtime()}; ${BATCH} records per request, ${REQUESTS} requests per round, ${ROUNDS - WARMUP} rounds (min / median / max)`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(13)} CPU ${mmm(r.cpu, 2)} µs per record (including creating the record), ${mmm(r.rate)} records/s`);
  }
});
