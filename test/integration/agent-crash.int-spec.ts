import type { ChildProcess } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import { EnvReader, toKafkaMessage } from '@app/common';
import { followUpId } from '@app/agent';
import { kafkaConnectionFromEnv, createKafka } from '@app/kafka';
import { Topics } from '@app/contracts';
import { feeder, header, provisionPrefix, readUntil, unique } from '../support/kafka';
import { spawnApp, stopped } from '../support/processes';

/**
 * Kafka's exactly-once standard, on our agent: while thousands of leads flow (with provider duplicates),
 * two lead-agent processes sharing the partitions are killed with SIGKILL (and now and then SIGTERM) and
 * restarted. Afterwards a read_committed reader must find every expected follow-up exactly once.
 */
const EVENTS = Number(process.env.CRASH_TEST_EVENTS || 3000);
const KILLS = Number(process.env.CRASH_TEST_KILLS || 5);

describe('lead agent under SIGKILL (real broker, real processes)', () => {
  const prefix = `${unique('crash')}.`;
  let kafka: Kafka;
  let producer: Producer;
  const procs: (ChildProcess | undefined)[] = [undefined, undefined];

  const env = () => ({ KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', KAFKA_TOPIC_PREFIX: prefix, HEALTH_PORT: '0', KAFKA_SESSION_TIMEOUT_MS: '6000' });
  const start = (i: number) => (procs[i] = spawnApp('lead-agent', env()));

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('crash-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    for (const p of procs) p?.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p ? stopped(p) : Promise.resolve())));
    await producer.disconnect();
  });

  it('produces every expected follow-up exactly once despite crashes and duplicates', async () => {
    const ids = Array.from({ length: EVENTS }, (_, i) => `crash-${i}`);
    const record = (id: string, i: number) =>
      toKafkaMessage(
        {
          id,
          source: '/webhooks/crm',
          type: 'crm.lead.created',
          time: new Date().toISOString(),
          // Every third lead is free-mail (disqualified), the rest qualify.
          data: { crmId: id, email: i % 3 === 0 ? `${id}@gmail.com` : `${id}@acme-corp.io`, company: 'Acme', companySize: 500, title: 'Head of Ops' },
          extensions: {},
        },
        `${id}@lead`,
      );
    start(0);
    start(1);
    // Feed in slices while crashing processes; each slice also replays a few earlier ids (provider retries).
    const slices = Math.max(10, KILLS * 2);
    const per = Math.ceil(EVENTS / slices);
    let kills = 0;
    for (let s = 0; s < slices; s++) {
      const slice = ids.slice(s * per, (s + 1) * per);
      const replays = ids.slice(Math.max(0, s * per - 20), s * per);
      await producer.send({ topic: `${prefix}${Topics.LeadsCreated}`, acks: -1, messages: [...slice, ...replays].map((id) => record(id, Number(id.split('-')[1]))) });
      if (kills < KILLS && s % 2 === 1) {
        const victim = kills % 2;
        procs[victim]?.kill(kills === 2 ? 'SIGTERM' : 'SIGKILL');
        if (procs[victim]) await stopped(procs[victim]);
        kills++;
        await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
        start(victim);
      }
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(kills).toBe(KILLS);

    const out = [`${prefix}leads.qualified`, `${prefix}leads.disqualified`, `${prefix}emails.requested`];
    const qualifiedCount = ids.filter((_, i) => i % 3 !== 0).length;
    const expected = EVENTS + qualifiedCount;
    const seen = await readUntil(kafka, out, (r) => r.length >= expected, 240_000);
    // Read on for a moment: a duplicate would arrive after the expected count was reached.
    const settled = await readUntil(kafka, out, (r) => r.length > seen.length, 3000);
    const all = settled.length > seen.length ? settled : seen;

    const byId = new Map<string, number>();
    for (const r of all) byId.set(header(r.message, 'ce_id') ?? '', (byId.get(header(r.message, 'ce_id') ?? '') ?? 0) + 1);
    const twice = [...byId].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const expectIds = i % 3 === 0 ? [followUpId(id, 'lead.disqualified')] : [followUpId(id, 'lead.qualified'), followUpId(id, 'welcome-email')];
      for (const e of expectIds) if (!byId.has(e)) missing.push(`${id}:${e}`);
    });
    expect(missing).toEqual([]);
    expect(all).toHaveLength(expected);
    console.log(`agent crashes: ${EVENTS} events (+ replayed duplicates), ${KILLS} kills (SIGKILL and SIGTERM), ${all.length} follow-ups, 0 missing, 0 duplicated`);
  }, 420_000);
});
