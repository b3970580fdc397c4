import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka, Producer } from 'kafkajs';
import { followUpId, idDigest } from '@app/agent';
import { toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { feeder, header, provisionPrefix, readUntil, testKafka, unique, waitFor } from '../support/kafka';

const N = Number(process.env.DUPLICATES_TEST_EVENTS || 2000);
const HOUR = 3_600_000;

describe('duplicates at scale (real broker)', () => {
  const prefix = `${unique('dups')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let agent: INestApplication | undefined;

  const lead = (id: string) =>
    toKafkaMessage(
      { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email: `${id}@acme-corp.io`, company: 'Acme', companySize: 300 }, extensions: {} },
      `${id}@acme-corp.io`,
    );
  const send = (ids: string[]) => producer.send({ topic: `${prefix}${Topics.LeadsCreated}`, acks: -1, messages: ids.map(lead) });
  const outputs = [`${prefix}leads.qualified`, `${prefix}leads.disqualified`];
  const skipped = async () => {
    const res = await (agent as NestFastifyApplication).getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
    return Number(/hookline_agent_duplicates_skipped_total\{[^}]*\} (\d+)/.exec(res.body)?.[1] ?? NaN);
  };

  beforeAll(async () => {
    kafka = testKafka();
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    await agent?.close();
    await producer.disconnect();
  });

  it('replayed in bulk onto a new instance, and hours later within the window, never produce a second follow-up', async () => {
    const ids = Array.from({ length: N }, (_, i) => `dup-${i}`);
    await send(ids);
    agent = await startAgent('lead-agent', LeadAgentModule, prefix);
    const first = await readUntil(kafka, outputs, (r) => r.length >= N, 120_000);
    expect(first).toHaveLength(N);
    await agent.close();

    // Ids the agent processed 5 hours ago (inside the 72 h window) and 80 hours ago (outside it), as its
    // own processed log records them: a new instance must restore and honour the first, not the second.
    const recent = Array.from({ length: 100 }, (_, i) => `recent-${i}`);
    const ancient = Array.from({ length: 100 }, (_, i) => `ancient-${i}`);
    const byPartition = async (list: string[], t: number) => {
      // Partition of each id's record: read back where the input lands is unnecessary, every partition gets all ids.
      for (let p = 0; p < 6; p++) {
        await producer.send({
          topic: `${prefix}lead-agent.processed`,
          acks: -1,
          messages: [{ partition: p, key: null, value: JSON.stringify({ t, ids: list.map(idDigest) }) }],
        });
      }
    };
    await byPartition(recent, Date.now() - 5 * HOUR);
    await byPartition(ancient, Date.now() - 80 * HOUR);

    agent = await startAgent('lead-agent', LeadAgentModule, prefix);
    await send(ids); // the provider's bulk retry
    await send([...recent, ...ancient]);
    const sentinel = unique('sentinel');
    await send([sentinel]);
    const sentinelId = followUpId(sentinel, 'lead.qualified');
    const expected = N + ancient.length + 1;
    const enough = await readUntil(kafka, outputs, (r) => r.length >= expected && r.some((x) => header(x.message, 'ce_id') === sentinelId), 120_000);
    // Read on briefly: a second follow-up would arrive after the expected count.
    const more = await readUntil(kafka, outputs, (r) => r.length > enough.length, 3000);
    const all = more.length > enough.length ? more : enough;

    const count = (id: string) => all.filter((x) => header(x.message, 'ce_causationid') === id).length;
    expect(ids.filter((id) => count(id) !== 1)).toEqual([]);
    expect(recent.filter((id) => count(id) !== 0)).toEqual([]);
    // Outside the window a duplicate is processed again: the documented limit of a bounded window.
    expect(ancient.filter((id) => count(id) !== 1)).toEqual([]);
    expect(all).toHaveLength(expected);
    // Partitions commit independently and the counter moves just after a commit: wait for the count
    // rather than read it once (an overshoot still fails: the wait ends only on the exact value).
    await waitFor(async () => (await skipped()) === N + recent.length || undefined, 30_000).catch(() => undefined);
    expect(await skipped()).toBe(N + recent.length);
    console.log(`duplicates at scale: ${N} events replayed onto a new instance, ${recent.length} replayed 5 h later: 0 second follow-ups`);
  }, 300_000);
});
