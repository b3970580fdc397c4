'use strict';
/**
 * Records written straight to Kafka, in the formats the apps write them: `leads.created` CloudEvents as the
 * ingress would produce them for the benchmark's webhook (via the project's toKafkaMessage), and dedup
 * records of the lead-agent's `processed` topic (one JSON record {t, ids:[idDigest(id)...]} per
 * transaction, in the task's partition, as Task.changelogRecords writes them).
 */
const { log } = require('./log');

/** Creates every registry topic and an agent's own topics (the lead agent's unless named) under prefix, as the apps would. */
async function ensureAppTopics(ctx, prefix, agent = 'lead-agent') {
  const { common } = ctx;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await common.ensureTopics(admin, [...common.topicSpecs(), ...common.agentTopicList(agent)], prefix);
  } finally {
    await admin.disconnect();
  }
}

function leadMessage(common, id) {
  const now = new Date().toISOString();
  const email = `ada.${id}@analytical-engines.io`;
  const event = {
    id,
    source: '/webhooks/crm',
    type: 'crm.lead.created',
    time: now,
    subject: `lead_${id}`,
    data: {
      crmId: `lead_${id}`,
      email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      companySize: 500,
      title: 'Head of IT',
      country: 'GB',
      phone: '+44 20 7946 0000',
      source: 'benchmark',
    },
    extensions: { receivedat: now, deliveryid: id, traceparent: common.childTraceparent() },
  };
  return common.toKafkaMessage(event, common.normalizeEmail(email));
}

/** Sends messages in requests of `chunk`, `parallel` requests at a time, with acks=all. */
async function sendAll(producer, topic, messages, chunk = 1000, parallel = 4) {
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const slice = messages.slice(next, next + chunk);
      next += chunk;
      await producer.send({ topic, acks: -1, messages: slice });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

async function produceLeads(ctx, prefix, tag, count) {
  const { common } = ctx;
  const topic = common.physicalTopic(prefix, common.Topics.LeadsCreated);
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = Date.now();
  try {
    const messages = Array.from({ length: count }, (_, i) => leadMessage(common, `${tag}-${String(i).padStart(9, '0')}`));
    await sendAll(producer, topic, messages);
  } finally {
    await producer.disconnect();
  }
  log(`produced ${count} leads.created records to ${topic} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return topic;
}

/** `count` remembered ids, 500 per record (the runtime's records per transaction), spread over the partitions. */
async function produceDedupRecords(ctx, prefix, tag, count, perRecord = 500) {
  const { common } = ctx;
  const topic = common.physicalTopic(prefix, common.agentTopics('lead-agent').processed.name);
  const partitions = common.agentTopics('lead-agent').processed.partitions;
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = Date.now();
  let bytes = 0;
  try {
    const messages = [];
    const now = Date.now();
    for (let start = 0, r = 0; start < count; start += perRecord, r++) {
      const ids = [];
      for (let i = start; i < Math.min(count, start + perRecord); i++) ids.push(common.idDigest(`${tag}-old-${i}`));
      const value = JSON.stringify({ t: now, ids });
      bytes += value.length;
      messages.push({ partition: r % partitions, key: null, value });
    }
    await sendAll(producer, topic, messages, 50, 4);
  } finally {
    await producer.disconnect();
  }
  log(`wrote ${count} remembered ids (${(bytes / 1e6).toFixed(1)} MB) to ${topic} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return topic;
}

module.exports = { ensureAppTopics, produceLeads, produceDedupRecords, leadMessage };
