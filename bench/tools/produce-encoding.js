'use strict';
/**
 * CPU of kafkajs's produce path per record, apart from sockets and the broker: encoding a Produce request
 * (record batches of the ingress's shape: a ~300-byte Lead, ten ce_ headers, 6 partitions, 60 records per
 * request) and the default partitioner's murmur2 per key. Compares the installed kafkajs (with
 * patches/kafkajs+2.2.4.patch) with another copy when given one, e.g. kafkajs 2.2.4 with an older patch:
 *
 *   node bench/tools/produce-encoding.js                      # the installed kafkajs only
 *   node bench/tools/produce-encoding.js /tmp/old/node_modules/kafkajs   # side by side, interleaved rounds
 *
 * Prints min / median / max over the rounds (the first rounds are warm-up) and checks both produce the same
 * bytes for the same requests.
 */
const path = require('node:path');

const load = (root) => ({
  root,
  request: require(path.join(root, 'src/protocol/requests/produce/v3/request')),
  Long: require(path.join(root, 'src/utils/long')),
  murmur2: require(path.join(root, 'src/producer/partitioners/default/murmur2')),
});

const installed = load(path.dirname(require.resolve('kafkajs/package.json')));
const other = process.argv[2] ? load(path.resolve(process.argv[2])) : undefined;

const ROUNDS = 14;
const WARMUP = 4;
const REQUESTS = 150;
const PER_REQUEST = 60;
const PARTITIONS = 6;
const now = Date.now();
const value = Buffer.from(
  JSON.stringify({ crmId: 'lead_x', email: 'ada.x@analytical-engines.io', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', companySize: 500, title: 'Head of IT', country: 'GB', phone: '+44 20 7946 0000', source: 'benchmark' }),
);
const message = (i) => ({
  key: `ada.${i}@analytical-engines.io`,
  value,
  headers: {
    ce_specversion: '1.0',
    ce_id: `bench-${String(i).padStart(9, '0')}`,
    ce_source: '/webhooks/crm',
    ce_type: 'crm.lead.created',
    ce_time: new Date(now).toISOString(),
    ce_receivedat: new Date(now).toISOString(),
    ce_deliveryid: `bench-${String(i).padStart(9, '0')}`,
    ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ce_subject: `lead_${i}`,
    'content-type': 'application/json',
  },
  timestamp: String(now + (i % 7)),
});
const requests = Array.from({ length: REQUESTS }, (_, r) =>
  Array.from({ length: PARTITIONS }, (_, p) => ({
    partition: p,
    firstSequence: r * PER_REQUEST,
    messages: Array.from({ length: PER_REQUEST / PARTITIONS }, (_, i) => message(r * PER_REQUEST + p * 1000 + i)),
  })),
);
const keys = Array.from({ length: 20_000 }, (_, i) => `ada.${i}@analytical-engines.io`);

const encode = async (k, partitions) =>
  (await k.request({ acks: -1, timeout: 30_000, producerId: k.Long.fromInt(5), producerEpoch: 0, topicData: [{ topic: 'leads.created', partitions }] }).encode()).buffer;

async function encodeRound(k) {
  const t0 = process.cpuUsage();
  for (const partitions of requests) await encode(k, partitions);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / (REQUESTS * PER_REQUEST);
}

function hashRound(k) {
  const t0 = process.cpuUsage();
  let x = 0;
  for (const key of keys) x ^= k.murmur2(key);
  const u = process.cpuUsage(t0);
  if (x === 0.5) console.log(x); // keeps the loop
  return ((u.user + u.system) * 1000) / keys.length;
}

const stats = (xs) => {
  const s = xs.slice(WARMUP).sort((a, b) => a - b);
  const f = (v) => v.toFixed(2);
  return `${f(s[0])} / ${f(s[s.length >> 1])} / ${f(s[s.length - 1])}`;
};

async function main() {
  const targets = other ? [['installed', installed], ['other', other]] : [['installed', installed]];
  if (other) {
    for (let r = 0; r < 10; r++) {
      const [a, b] = await Promise.all([encode(installed, requests[r]), encode(other, requests[r])]);
      if (!a.equals(b)) throw new Error(`request ${r}: the two kafkajs copies encode different bytes`);
    }
    console.log('the same bytes from both copies (10 requests compared)');
  }
  const results = Object.fromEntries(targets.map(([name]) => [name, { encode: [], hash: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, k] of targets) {
      results[name].encode.push(await encodeRound(k));
      results[name].hash.push(hashRound(k));
    }
  }
  console.log(`min / median / max over ${ROUNDS - WARMUP} rounds (after ${WARMUP} warm-up rounds), CPU time`);
  for (const [name, k] of targets) {
    console.log(`${name} (${k.root}): produce encoding ${stats(results[name].encode)} µs per record; murmur2 ${stats(results[name].hash)} ns per key`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
