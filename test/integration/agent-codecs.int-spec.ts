import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { startAgent } from '../support/agents';
import { javaProduce, type ConsoleRecord } from '../support/console-producer';
import { header, provisionPrefix, readUntil, unique, waitFor } from '../support/kafka';

/**
 * An input topic written by other producers: record batches in every compression codec (by Apache
 * Kafka's own Java producer, so snappy comes xerial-framed), a tombstone, a record without a key, records
 * without CloudEvents headers or with a header that has no value, and transactions of another
 * transactional producer, one committed and one aborted. The agent processes the valid events, dead-letters
 * the invalid records with a reason, and its partitions move on: a later event is still processed.
 * Before the codecs were registered, the first snappy batch crashed the consumer for good.
 */
const AGENT = 'codec-agent';
const handled = new Set<string>();

@Controller()
class CodecController {
  @EventPattern(Topics.WebhooksGithub)
  onEvent(@Ctx() ctx: AgentContext): void {
    handled.add(ctx.event.id);
    ctx.state.put((ctx.state.get<number>() ?? 0) + 1);
  }
}

@Module({ controllers: [CodecController] })
class CodecAgentModule {}

const ce = (id: string): Record<string, string> => ({ ce_specversion: '1.0', ce_id: id, ce_source: '/test', ce_type: 'test.event', 'content-type': 'application/json' });

describe('records of other producers: every codec, tombstones, null keys, foreign headers, transactions (real broker)', () => {
  const prefix = `${unique('codecs')}.`;
  const input = `${prefix}${Topics.WebhooksGithub}`;
  let kafka: Kafka;
  let app: INestApplication | undefined;
  let txProducer: Producer | undefined;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('codecs-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, [AGENT]);
  });
  afterAll(async () => {
    await app?.close();
    await txProducer?.disconnect();
  });

  it('processes the valid records, dead-letters the invalid ones with a reason, and keeps going', async () => {
    const brokers = process.env.KAFKA_BROKERS ?? '';
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const records: ConsoleRecord[] = [];
      for (let i = 0; i < 20; i++) {
        const id = `${codec}-${i}`;
        valid.push(id);
        records.push({ key: `key-${i}`, value: JSON.stringify({ codec, i }), headers: ce(id) });
      }
      // Valid events with a null key, and with an extra header that has no value.
      valid.push(`${codec}-nullkey`, `${codec}-nullheader`);
      records.push({ key: null, value: '{"nullKey":true}', headers: ce(`${codec}-nullkey`) });
      records.push({ key: 'k', value: '{}', headers: { ...ce(`${codec}-nullheader`), 'x-empty': null } });
      // Invalid: a tombstone, a record without any header, foreign headers, a foreign header without a value.
      invalid.push(`${codec}:tombstone`, `${codec}:bare`, `${codec}:foreign`, `${codec}:foreign-null`);
      records.push({ key: `${codec}:tombstone`, value: null });
      records.push({ key: `${codec}:bare`, value: 'not even json' });
      records.push({ key: `${codec}:foreign`, value: '{"x":1}', headers: { 'x-request-id': 'abc', ce_id: 'no-specversion' } });
      records.push({ key: `${codec}:foreign-null`, value: '{"x":1}', headers: { 'x-trace': null } });
      await javaProduce(brokers, input, codec, records);
    }

    // Another service's transactions on the input (gzip, as kafkajs writes them): one commits, one aborts.
    txProducer = kafka.producer({ transactionalId: unique('other-tx'), idempotent: true, maxInFlightRequests: 1 });
    await txProducer.connect();
    const txMessages = (ids: string[]) => ids.map((id) => ({ ...toKafkaMessage({ id, source: '/test', type: 'test.event', time: new Date().toISOString(), data: {}, extensions: {} }, id) }));
    const committed = Array.from({ length: 12 }, (_, i) => `tx-committed-${i}`);
    const aborted = Array.from({ length: 12 }, (_, i) => `tx-aborted-${i}`);
    let tx = await txProducer.transaction();
    await tx.send({ topic: input, messages: txMessages(aborted) });
    await tx.abort();
    tx = await txProducer.transaction();
    await tx.send({ topic: input, messages: txMessages(committed) });
    await tx.commit();
    valid.push(...committed);

    app = await startAgent(AGENT, CodecAgentModule, prefix);
    await waitFor(() => valid.every((id) => handled.has(id)) || undefined, 60_000).catch(() => {
      throw new Error(`not processed: ${valid.filter((id) => !handled.has(id)).join(', ')}`);
    });
    expect(aborted.filter((id) => handled.has(id))).toEqual([]);

    const dlq = await readUntil(kafka, [`${prefix}${AGENT}.dlq`], (r) => r.length >= invalid.length, 30_000);
    const reasons = new Map(dlq.map((r) => [r.message.key?.toString() ?? '', header(r.message, 'dlq_reason') ?? '']));
    expect([...reasons.keys()].sort()).toEqual([...invalid].sort());
    for (const [key, reason] of reasons) expect(`${key}: ${reason}`).toMatch(/^[^:]+:[^:]+: invalid CloudEvent: /);

    // The partitions moved on: an event written after all of that (lz4 again) is processed too.
    await javaProduce(brokers, input, 'lz4', [{ key: 'late', value: '{}', headers: ce('late-1') }]);
    await waitFor(() => handled.has('late-1') || undefined, 30_000);
    console.log(`codecs: ${valid.length + 1} valid records processed (gzip, snappy, lz4, zstd, transactional), ${invalid.length} dead-lettered, ${aborted.length} aborted skipped`);
  }, 240_000);
});
