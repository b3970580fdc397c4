import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { feeder, provisionPrefix, unique, waitFor } from '../support/kafka';

/**
 * The agent runtime keeps, per processed event, only what it must: the remembered id (13 bytes a slot of
 * a typed array outside the V8 heap, see DigestSet and the benchmark). Leads come from a fixed set of 20 people, so the lead agent's keyed state does
 * not grow; anything else the runtime held per record (an inbox that is never emptied, a waiter per batch,
 * a record value) would show as hundreds of bytes or more per event. Heap used after forced full
 * collections, every 2,000 events, through the real broker and transactions.
 */
const gc = (globalThis as { gc?: () => void }).gc;
const ROUNDS = 6;
const PER_ROUND = 2000;

describe('agent memory (real broker, forced GC)', () => {
  const prefix = `${unique('agentmem')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let app: INestApplication;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('agent-memory', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
    app = await startAgent('lead-agent', LeadAgentModule, prefix);
  });
  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
  });

  /** Events the agent has finished with (handled or skipped as duplicates), from its own /metrics. */
  const finished = async () => {
    const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
    const res = await fastify.inject({ method: 'GET', url: '/metrics' });
    let n = 0;
    for (const m of res.body.matchAll(/^hookline_agent_(?:processed|duplicates_skipped)_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
    return n;
  };

  it('keeps no more than the remembered id per event once warm', async () => {
    const collect = gc as () => void;
    const points: number[] = [];
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i += 500) {
        await producer.send({
          topic: `${prefix}${Topics.LeadsCreated}`,
          acks: -1,
          messages: Array.from({ length: 500 }, () => {
            const id = `mem-${n++}`;
            const email = `person-${n % 20}@acme-corp.io`;
            return toKafkaMessage(
              { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email, company: 'Acme', companySize: 250 }, extensions: {} },
              email,
            );
          }),
        });
      }
      await waitFor(async () => (await finished()) >= n || undefined, 60_000);
      collect();
      collect();
      points.push(process.memoryUsage().heapUsed);
    }
    // From the second checkpoint on (warm).
    const perEvent = (points[points.length - 1] - points[1]) / ((ROUNDS - 2) * PER_ROUND);
    console.log(
      `agent memory: heap after GC ${points.map((p) => (p / 2 ** 20).toFixed(2)).join(', ')} MiB per ${PER_ROUND.toLocaleString('en-US')} events; ${perEvent.toFixed(1)} B kept per event`,
    );
    expect(perEvent).toBeLessThan(250);
  }, 300_000);
});
