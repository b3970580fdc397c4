import { createKafka, ensureTopics, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader } from '@app/common';
import { type TopicSpec } from '@app/contracts';
import { readUntil, unique } from '../support/kafka';

/**
 * Topics created and used at once, as an agent does at start-up: when ensureTopics returns, every
 * partition of every new topic takes writes and reads (no "does not host this topic-partition").
 */
describe('ensureTopics then produce and consume at once (real broker)', () => {
  it('returns only when the new topics are usable', async () => {
    const prefix = `${unique('ensure')}.`;
    const kafka = createKafka(kafkaConnectionFromEnv('ensure-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    const specs: TopicSpec[] = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, partitions: 6, cleanupPolicy: 'delete', description: 'test' }));
    const admin = kafka.admin();
    await admin.connect();
    const r = await ensureTopics(admin, specs, prefix);
    await admin.disconnect();
    expect(r.created).toHaveLength(8);
    // No retries here: a producer that may not retry fails on a partition the broker does not host yet.
    const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
    await producer.connect();
    await producer.sendBatch({ acks: -1, topicMessages: specs.map((s) => ({ topic: `${prefix}${s.name}`, messages: Array.from({ length: 6 }, (_, p) => ({ partition: p, value: `${s.name}-${p}` })) })) });
    await producer.disconnect();
    const got = await readUntil(kafka, specs.map((s) => `${prefix}${s.name}`), (x) => x.length >= 48, 30_000);
    expect(got).toHaveLength(48);
  });
});
