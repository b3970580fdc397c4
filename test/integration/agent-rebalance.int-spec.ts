import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader, toKafkaMessage } from '@app/common';
import { followUpId, type AgentContext } from '@app/agent';
import { Topics, type Lead } from '@app/contracts';
import { startAgent } from '../support/agents';
import { feeder, header, provisionPrefix, readUntil, unique, waitFor } from '../support/kafka';

/**
 * A rebalance while the first instance holds work it has not committed: its handlers are parked on a gate
 * while a second instance joins, takes half the partitions, fences their transactional ids and processes
 * the same records from the committed offsets. When the gate opens, the first instance's commits for the
 * partitions it lost must fail (fenced); the ones it kept commit. Every follow-up exactly once.
 */
const AGENT = 'rebalance-agent';
const PURPOSE = 'rebalance-test';

let instances = 0;
/** Per instance (in construction order): ids whose handler was entered. */
const handled: Set<string>[] = [];
let gate: Promise<void> | undefined;

@Controller()
class GatedController {
  private readonly instance = instances++;

  constructor() {
    handled[this.instance] = new Set();
  }

  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    handled[this.instance].add(ctx.event.id);
    if (this.instance === 0 && gate) await gate;
    ctx.publish(Topics.EmailsRequested, 'email.requested', { template: 'welcome', to: lead.email, variables: {} }, { purpose: PURPOSE });
  }
}

@Module({ controllers: [GatedController] })
class GatedAgentModule {}

describe('rebalance while an instance holds uncommitted work (real broker)', () => {
  const prefix = `${unique('rebalance')}.`;
  let kafka: Kafka;
  let producer: Producer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('rebalance-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, [AGENT]);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await producer?.disconnect();
  });

  const feed = (ids: string[]) =>
    producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      acks: -1,
      messages: ids.map((id) =>
        toKafkaMessage(
          { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email: `${id}@acme-corp.io`, company: 'Acme', companySize: 50 }, extensions: {} },
          `${id}@lead`,
        ),
      ),
    });

  it('fences the first instance for the partitions it lost and produces every follow-up exactly once', async () => {
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    const first = Array.from({ length: 300 }, (_, i) => `rb-${i}`);
    const second = Array.from({ length: 300 }, (_, i) => `rb-${300 + i}`);

    apps.push(await startAgent(AGENT, GatedAgentModule, prefix));
    await feed(first);
    // The first instance has taken records of every partition into chunks and is parked in its handlers.
    await waitFor(() => handled[0].size >= 6 || undefined, 60_000, 50);

    apps.push(await startAgent(AGENT, GatedAgentModule, prefix));
    // The second instance got partitions, fenced their ids, and redid records the first one still holds.
    await waitFor(() => [...handled[0]].some((id) => handled[1]?.has(id)) || undefined, 90_000, 50);
    open();
    gate = undefined;

    await feed(second);
    const ids = [...first, ...second];
    const out = [`${prefix}${Topics.EmailsRequested}`];
    const seen = await readUntil(kafka, out, (r) => r.length >= ids.length, 120_000);
    const settled = await readUntil(kafka, out, (r) => r.length > seen.length, 3000);
    const all = settled.length > seen.length ? settled : seen;

    const count = new Map<string, number>();
    for (const r of all) count.set(header(r.message, 'ce_id') ?? '', (count.get(header(r.message, 'ce_id') ?? '') ?? 0) + 1);
    expect([...count].filter(([, n]) => n > 1)).toEqual([]);
    expect(ids.filter((id) => !count.has(followUpId(id, PURPOSE)))).toEqual([]);
    expect(all).toHaveLength(ids.length);
    const redone = [...handled[0]].filter((id) => handled[1].has(id)).length;
    expect(redone).toBeGreaterThan(0);
    console.log(`rebalance: ${ids.length} events, ${redone} handled by both instances (first one's work fenced), ${all.length} follow-ups, 0 missing, 0 duplicated`);
  }, 300_000);
});
