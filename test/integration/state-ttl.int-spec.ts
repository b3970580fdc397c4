import type { INestApplication } from '@nestjs/common';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader, toKafkaMessage } from '@app/common';
import { ENTITY_PARTITIONS, Topics } from '@app/contracts';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { feeder, provisionPrefix, readUntil, unique } from '../support/kafka';

/**
 * Keyed state expiry through the real broker: the lead agent forgets a person after STATE_TTL (here 2 s).
 * An expired key gets a tombstone in the state topic (in the transaction of the next chunk of its
 * partition), and the person's next lead is a new lead again.
 */
describe('keyed state expiry (real broker)', () => {
  const prefix = `${unique('ttl')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let agent: INestApplication;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('ttl-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
    agent = await startAgent('lead-agent', LeadAgentModule, prefix, { stateTtlMs: 2000 });
  });
  afterAll(async () => {
    await agent?.close();
    await producer?.disconnect();
  });

  const send = (id: string, email: string) =>
    producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      acks: -1,
      messages: [
        toKafkaMessage(
          { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email, company: 'Acme', companySize: 300 }, extensions: {} },
          email,
        ),
      ],
    });
  const partitionOf = (key: string) =>
    Partitioners.DefaultPartitioner()({
      topic: 't',
      partitionMetadata: Array.from({ length: ENTITY_PARTITIONS }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] })),
      message: { key, value: null },
    });

  it('writes a tombstone for a person not seen for the TTL and treats their next lead as new', async () => {
    const run = unique('p');
    const person = `${run}@acme-corp.io`;
    // Another person on the same partition: their lead is the chunk that carries the expiry.
    let other = '';
    for (let i = 0; !other; i++) if (partitionOf(`${run}-${i}@acme-corp.io`) === partitionOf(person)) other = `${run}-${i}@acme-corp.io`;
    const stateTopic = [`${prefix}lead-agent.state`];
    const entries = (rs: Awaited<ReturnType<typeof readUntil>>, email: string) => rs.filter((r) => r.message.key?.toString() === `s:${email}`);
    const value = (r: Awaited<ReturnType<typeof readUntil>>[number]) => (r.message.value ? (JSON.parse(r.message.value.toString()) as { leads: number }) : null);

    await send(`${run}-1`, person);
    let rs = await readUntil(kafka, stateTopic, (r) => entries(r, person).length >= 1, 60_000);
    expect(entries(rs, person).map(value)).toEqual([expect.objectContaining({ leads: 1 })]);

    await new Promise((r) => setTimeout(r, 3500));
    await send(`${run}-2`, other);
    rs = await readUntil(kafka, stateTopic, (r) => entries(r, person).length >= 2, 60_000);
    expect(entries(rs, person).map(value)).toEqual([expect.objectContaining({ leads: 1 }), null]);

    await send(`${run}-3`, person);
    rs = await readUntil(kafka, stateTopic, (r) => entries(r, person).length >= 3, 60_000);
    // Forgotten: counted from 1 again (without expiry this would be 2).
    expect(entries(rs, person).map(value)).toEqual([expect.objectContaining({ leads: 1 }), null, expect.objectContaining({ leads: 1 })]);
  }, 180_000);
});
