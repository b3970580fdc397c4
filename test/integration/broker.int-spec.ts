import type { Admin, Kafka } from 'kafkajs';
import { ensureTopics } from '@app/kafka';
import { type TopicSpec } from '@app/contracts';
import { readUntil, testKafka, unique } from '../support/kafka';

describe('the Kafka broker the tests run against', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => admin.disconnect());

  it('commits a transaction atomically: read_committed readers see committed records and never aborted ones', async () => {
    const input = unique('tx-in');
    const output = unique('tx-out');
    const group = unique('tx-group');
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 2 }, { topic: output }], waitForLeaders: true });

    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await plain.send({ topic: input, acks: -1, messages: [{ key: 'a', value: 'one' }, { key: 'b', value: 'two' }] });
    await plain.disconnect();

    const producer = kafka.producer({ transactionalId: unique('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: group, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let handled = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const tx = await producer.transaction();
            try {
              await tx.send({ topic: output, messages: [{ key: message.key, value: `processed:${String(message.value)}` }] });
              // sendOffsets takes the next offset to read: last processed + 1.
              await tx.sendOffsets({
                consumerGroupId: group,
                topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
              });
              await tx.commit();
            } catch (e) {
              await tx.abort();
              reject(e instanceof Error ? e : new Error(String(e)));
            }
            if (++handled === 2) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ value: 'aborted' }] });
    await aborted.abort();
    const after = await producer.transaction();
    await after.send({ topic: output, messages: [{ value: 'marker' }] });
    await after.commit();
    await producer.disconnect();

    const seen = await readUntil(kafka, [output], (r) => r.some((x) => String(x.message.value) === 'marker'));
    expect(seen.map((x) => String(x.message.value)).sort()).toEqual(['marker', 'processed:one', 'processed:two']);

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    const committed = offsets[0].partitions.filter((p) => p.offset !== '-1').reduce((n, p) => n + Number(p.offset), 0);
    expect(committed).toBe(2);
  });

  it('ensureTopics creates missing topics with their settings, then leaves existing ones alone', async () => {
    const prefix = `${unique('ensure')}.`;
    const specs: TopicSpec[] = [
      { name: 'events', partitions: 3, cleanupPolicy: 'delete', retentionMs: 3_600_000, description: 'test' },
      { name: 'state', partitions: 2, cleanupPolicy: 'compact', description: 'test' },
    ];
    const first = await ensureTopics(admin, specs, prefix);
    expect(first.created.sort()).toEqual([`${prefix}events`, `${prefix}state`]);
    expect(first.existing).toEqual([]);

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: `${prefix}state`, configNames: ['cleanup.policy'] }, { type: 2, name: `${prefix}events`, configNames: ['retention.ms'] }],
    });
    const value = (topic: string, name: string) =>
      configs.resources.find((r) => r.resourceName === topic)?.configEntries.find((c) => c.configName === name)?.configValue;
    expect(value(`${prefix}state`, 'cleanup.policy')).toBe('compact');
    expect(value(`${prefix}events`, 'retention.ms')).toBe('3600000');

    // An operator grew a topic by hand: a second call must not touch it, only report the difference.
    await admin.createPartitions({ topicPartitions: [{ topic: `${prefix}events`, count: 4 }] });
    const second = await ensureTopics(admin, specs, prefix);
    expect(second.created).toEqual([]);
    expect(second.existing.sort()).toEqual([`${prefix}events`, `${prefix}state`]);
    expect(second.mismatched).toEqual([{ topic: `${prefix}events`, expected: 3, actual: 4 }]);
    const meta = await admin.fetchTopicMetadata({ topics: [`${prefix}events`] });
    expect(meta.topics[0].partitions).toHaveLength(4);
  });
});
