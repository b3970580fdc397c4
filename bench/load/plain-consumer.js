'use strict';
/**
 * Child process: the consumer ceiling for scenario 4. A plain kafkajs consumer group (kafkajs defaults,
 * autoCommit) reads a topic from the beginning and only counts records in eachBatch. Reports the time from
 * its first batch to the batch that completed the expected count, and from run() to that batch.
 */
const { performance } = require('node:perf_hooks');
const { Kafka, logLevel } = require('kafkajs');

process.on('disconnect', () => process.exit(2));

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const kafka = new Kafka({ clientId: 'bench-plain-consumer', brokers: cfg.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: cfg.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [cfg.topic], fromBeginning: true });
  let count = 0;
  let first;
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), cfg.timeoutSec * 1000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === undefined) first = performance.now();
        count += batch.messages.length;
        if (count >= cfg.expected) {
          clearTimeout(timer);
          resolve(true);
        }
      },
    });
  });
  const complete = await done;
  const end = performance.now();
  await consumer.disconnect();
  process.send(
    {
      result: {
        complete,
        records: count,
        firstBatchAfterRunMs: first === undefined ? null : Math.round(first - t0),
        firstToLastMs: first === undefined ? null : Math.round(end - first),
        runToLastMs: Math.round(end - t0),
      },
    },
    () => process.exit(0),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
