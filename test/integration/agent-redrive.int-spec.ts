import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Kafka, Producer } from 'kafkajs';
import { DeadLetterError, readDeadLetters, redriveDeadLetters, type AgentContext } from '@app/agent';
import { EnvReader } from '@app/common';
import { Lead, Topics } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { startAgent } from '../support/agents';
import { feeder, leadRecord, header, provisionPrefix, readSettled, unique, waitFor } from '../support/kafka';

/**
 * Redrive through the real broker: records an agent dead-lettered are given back with redriveDeadLetters
 * and processed once more, exactly once, though their event ids were processed (dead-lettered) before.
 * Running the same redrive twice before the agent caught up, or again afterwards, changes nothing.
 */
let rejecting = true;
const handled: string[] = [];

@Controller()
class RedriveController {
  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    handled.push(`${ctx.event.id}${rejecting ? ' rejected' : ''}`);
    if (rejecting) throw new DeadLetterError('the CRM sent a lead we cannot place yet');
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: lead.crmId, score: 0, reasons: ['redriven'] });
  }
}

@Module({ controllers: [RedriveController] })
class RedriveModule {}

describe('redrive of dead-lettered records (real broker)', () => {
  const prefix = `${unique('redrive')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let agent: INestApplication;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('redrive-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['redrive-agent']);
    producer = await feeder(kafka);
    agent = await startAgent('redrive-agent', RedriveModule, prefix);
  });
  afterAll(async () => {
    await agent?.close();
    await producer?.disconnect();
  });

  it('processes each redriven record once, and a repeated redrive not at all', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `${unique('lead')}-${i}`);
    await producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      acks: -1,
      messages: ids.map((id) => leadRecord(id)),
    });
    const dead = await waitFor(async () => {
      const d = await readDeadLetters(kafka, 'redrive-agent', prefix);
      return d.length >= ids.length ? d : undefined;
    }, 60_000);
    expect(dead.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(dead.map((d) => [d.reason, d.topic, d.error])).toEqual(ids.map(() => ['rejected by handler', Topics.LeadsCreated, 'the CRM sent a lead we cannot place yet']));

    rejecting = false;
    const dry = await redriveDeadLetters(kafka, { agent: 'redrive-agent', topicPrefix: prefix, all: true, dryRun: true });
    expect(dry.redriven).toHaveLength(ids.length);
    // Twice, as an operator who pressed the button again: the second writes the same redrive numbers.
    const first = await redriveDeadLetters(kafka, { agent: 'redrive-agent', topicPrefix: prefix, all: true });
    const second = await redriveDeadLetters(kafka, { agent: 'redrive-agent', topicPrefix: prefix, all: true });
    expect(first.redriven.map((r) => r.redrive)).toEqual(ids.map(() => 1));
    expect(second.redriven.map((r) => r.redrive)).toEqual(ids.map(() => 1));
    expect((await redriveDeadLetters(kafka, { agent: 'redrive-agent', topicPrefix: prefix, ids: ['no-such-event'] })).notFound).toEqual(['no-such-event']);

    const out = [`${prefix}${Topics.LeadsDisqualified}`];
    const followUps = await readSettled(kafka, out, (r) => r.length >= ids.length, 60_000);
    expect(followUps.map((r) => JSON.parse(String(r.message.value)) as { crmId: string }).map((d) => d.crmId).sort()).toEqual([...ids].sort());
    expect(new Set(followUps.map((r) => header(r.message, 'ce_id'))).size).toBe(ids.length);
    expect(handled.filter((h) => !h.endsWith('rejected')).sort()).toEqual([...ids].sort());
    console.log(`redrive: ${ids.length} dead-lettered, redriven twice: ${followUps.length} follow-ups, each once`);
  }, 180_000);
});
