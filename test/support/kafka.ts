import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { toKafkaMessage } from '@app/common';
import { agentTopicList, topicSpecs } from '@app/contracts';
import { createKafka, ensureTopics, kafkaConnectionFromEnv } from '@app/kafka';

/** A name no other test or run uses: topics, groups and transactional ids never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A CRM's lead.created as the ingress writes it to leads.created: event `id`, keyed by `email`. */
export function leadRecord(id: string, email = `${id}@acme-corp.io`): Message {
  return toKafkaMessage({ id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email }, extensions: {} }, email);
}

export function testKafka(service = 'test'): Kafka {
  return createKafka(kafkaConnectionFromEnv(service));
}

export interface Received {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads `topics` from the beginning with read_committed until `predicate` holds for what was read, or
 * the timeout passes. Waits for events instead of sleeping.
 */
export async function readUntil(
  kafka: Kafka,
  topics: string[],
  predicate: (received: Received[]) => boolean,
  timeoutMs = 30000,
): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({ groupId: unique('reader'), readUncommitted: false, maxWaitTimeInMs: 200 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            received.push({ topic, partition, message });
            if (predicate(received)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : Array.isArray(v) ? String(v[0]) : String(v);
}

/**
 * readUntil, then reads on for `settleMs`: a record that should not exist (a duplicate) would arrive after
 * the expected ones, so "exactly once" is only judged on what a reader sees once the topic went quiet.
 */
export async function readSettled(
  kafka: Kafka,
  topics: string[],
  predicate: (received: Received[]) => boolean,
  timeoutMs = 30000,
  settleMs = 3000,
): Promise<Received[]> {
  const first = await readUntil(kafka, topics, predicate, timeoutMs);
  const again = await readUntil(kafka, topics, (r) => r.length > first.length, settleMs);
  return again.length > first.length ? again : first;
}

/** Creates the registry's topics and the named agents' own topics under `prefix`. */
export async function provisionPrefix(kafka: Kafka, prefix: string, agents: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [...topicSpecs(), ...agents.flatMap((a) => agentTopicList(a))], prefix);
  } finally {
    await admin.disconnect();
  }
}

/** An idempotent acks=all producer for feeding test records, connected. */
export async function feeder(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}
