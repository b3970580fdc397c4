'use strict';
/**
 * Child process: the end-to-end probe. It sends the webhooks (open loop, bench/lib/paced.js) AND reads
 * the follow-ups with a read_committed kafkajs consumer, so both timestamps come from one clock in one
 * process: t202 when the ingress's 202 arrives, tSeen when the consumer's fetch hands over the follow-up
 * whose ce_causationid is that event id. Latency = tSeen - t202 (a follow-up seen before its 202 counts 0).
 * Phases run one after the other on the same consumer; a warm-up before each phase is not recorded.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Kafka, logLevel } = require('kafkajs');
const { Histogram } = require('../lib/histogram');
const { runPaced } = require('../lib/paced');
const { webhookFactory } = require('../lib/payload');

process.on('disconnect', () => process.exit(2));

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const common = require(path.join(cfg.dist, 'libs/contracts/src'));
  const topics = [common.Topics.LeadsQualified, common.Topics.LeadsDisqualified].map((t) => common.physicalTopic(cfg.prefix, t));
  const kafka = new Kafka({ clientId: 'bench-e2e-probe', brokers: cfg.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${cfg.prefix}bench-e2e-probe`, readUncommitted: false, maxWaitTimeInMs: 100 });

  /** id -> t202, while its follow-up is outstanding; id -> tSeen for follow-ups that beat their 202. */
  const waiting = new Map();
  const early = new Map();
  let tracking = null; // { hist, seen } of the phase being measured
  const onFollowUp = (id, t) => {
    const t202 = waiting.get(id);
    if (t202 !== undefined) {
      waiting.delete(id);
      if (tracking && tracking.ids.has(id)) {
        tracking.hist.recordMs(Math.max(0, t - t202));
        tracking.seen++;
      }
    } else early.set(id, t);
  };
  const onAccepted = (id, t) => {
    const seenAt = early.get(id);
    if (seenAt !== undefined) {
      early.delete(id);
      if (tracking && tracking.ids.has(id)) {
        tracking.hist.recordMs(Math.max(0, seenAt - t));
        tracking.seen++;
      }
    } else waiting.set(id, t);
  };

  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const t = performance.now();
      for (const m of batch.messages) {
        const h = m.headers && m.headers.ce_causationid;
        if (h) onFollowUp(h.toString(), t);
      }
    },
  });
  await joined;
  await new Promise((r) => setTimeout(r, 500));
  process.send({ ready: true });

  const results = [];
  for (const [i, phase] of cfg.phases.entries()) {
    const base = { port: cfg.port, connections: cfg.connections, rate: phase.rate };
    if (phase.warmupSec > 0) {
      const warm = webhookFactory({ tag: `${cfg.tag}w${i}`, secret: process.env.WEBHOOK_SECRET_CRM });
      await runPaced({ ...base, durationSec: phase.warmupSec, factory: warm, onAccepted });
    }
    const factory = webhookFactory({ tag: `${cfg.tag}p${i}`, secret: process.env.WEBHOOK_SECRET_CRM });
    const ids = new Set();
    tracking = { hist: new Histogram(), seen: 0, ids };
    const sender = await runPaced({
      ...base,
      durationSec: phase.durationSec,
      factory,
      onAccepted: (id, t) => {
        ids.add(id);
        onAccepted(id, t);
      },
    });
    const deadline = performance.now() + cfg.drainSec * 1000;
    while (tracking.seen < ids.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    results.push({
      rate: phase.rate,
      durationSec: phase.durationSec,
      accepted: ids.size,
      followUpsSeen: tracking.seen,
      missing: ids.size - tracking.seen,
      e2eMs: tracking.hist.summaryMs(),
      sender: { ...sender, histogram: undefined },
    });
    tracking = null;
    waiting.clear();
    early.clear();
  }
  await consumer.disconnect();
  process.send({ result: results }, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
