import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { DeadLetterError, effectKey, readDeadLetters, redriveDeadLetters, type AgentContext } from '@app/agent';
import { EnvReader } from '@app/common';
import { Lead, Topics } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { startAgent } from '../support/agents';
import { feeder, leadRecord, provisionPrefix, readSettled, unique, waitFor } from '../support/kafka';

/**
 * Effects through the real broker: an effect whose attempt then fails is recorded with the retry, so the
 * next attempt gets its result back; after the agent is closed and a new instance restores the task from
 * the `processed` topic, a redrive of the dead letters still gets the recorded results and never calls
 * the effect again. (Crashes between an effect and its commit: the mailer and invoicer crash tests.)
 */
let phase: 'failing' | 'healthy' = 'failing';
/** Calls of the effect's function, by idempotency key: the "external system". */
const charges = new Map<string, number>();
const attempts: string[] = [];

@Controller()
class ChargeController {
  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    const charge = await ctx.effect('charge', async (key) => {
      charges.set(key, (charges.get(key) ?? 0) + 1);
      return { chargeId: `ch-${key.slice(0, 8)}`, at: Date.now() };
    });
    attempts.push(`${ctx.event.id}#${ctx.attempt}`);
    if (phase === 'failing') {
      if (ctx.attempt < 2) throw new Error('the ledger is down after the charge');
      throw new DeadLetterError('given up after the charge');
    }
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: lead.crmId, score: 0, reasons: [charge.chargeId, String(charge.at)] });
  }
}

@Module({ controllers: [ChargeController] })
class ChargeModule {}

describe('effects recorded in Kafka (real broker)', () => {
  const prefix = `${unique('effects')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let agent: INestApplication | undefined;
  const options = { retry: { maxAttempts: 5, initialBackoffMs: 50, maxBackoffMs: 100 } };

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('effects-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['effects-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    await agent?.close();
    await producer?.disconnect();
  });

  it('runs each effect once across a retry, a dead letter, a restart and a redrive, returning the recorded result', async () => {
    agent = await startAgent('effects-agent', ChargeModule, prefix, options);
    const ids = Array.from({ length: 12 }, (_, i) => `${unique('lead')}-${i}`);
    await producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      acks: -1,
      messages: ids.map((id) => leadRecord(id)),
    });
    const dead = await waitFor(async () => {
      const d = await readDeadLetters(kafka, 'effects-agent', prefix);
      return d.length >= ids.length ? d : undefined;
    }, 60_000);
    expect(dead.map((d) => d.id).sort()).toEqual([...ids].sort());
    // Two attempts each, one call of the effect each: the second attempt got the recorded result.
    expect(attempts.length).toBe(ids.length * 2);
    expect(ids.map((id) => charges.get(effectKey(id, 'charge')))).toEqual(ids.map(() => 1));

    // A new instance restores the tasks (processed ids, effect results) from Kafka, not from memory.
    await agent.close();
    agent = await startAgent('effects-agent', ChargeModule, prefix, options);
    phase = 'healthy';
    await redriveDeadLetters(kafka, { agent: 'effects-agent', topicPrefix: prefix, all: true });
    const out = await readSettled(kafka, [`${prefix}${Topics.LeadsDisqualified}`], (r) => r.length >= ids.length, 60_000);
    const reasons = out.map((r) => (JSON.parse(String(r.message.value)) as { crmId: string; reasons: string[] }));
    expect(reasons.map((r) => r.crmId).sort()).toEqual([...ids].sort());
    for (const r of reasons) expect(r.reasons[0]).toBe(`ch-${effectKey(r.crmId, 'charge').slice(0, 8)}`);
    expect(ids.map((id) => charges.get(effectKey(id, 'charge')))).toEqual(ids.map(() => 1));
    console.log(`effects: ${ids.length} events, ${attempts.length} attempts over a retry, a dead letter, a restart and a redrive; effect calls ${[...charges.values()].reduce((a, b) => a + b, 0)}`);
  }, 180_000);
});
