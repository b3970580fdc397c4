import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { header, readSettled, readUntil, testKafka, unique } from '../support/kafka';

describe('lead agent, end to end through the ingress (real broker)', () => {
  let ingress: RunningIngress;
  let agent: INestApplication | undefined;
  let kafka: Kafka;
  let outputs: string[];

  beforeAll(async () => {
    ingress = await startIngress({ quiet: true });
    kafka = testKafka();
    outputs = [`${ingress.prefix}leads.qualified`, `${ingress.prefix}leads.disqualified`, `${ingress.prefix}emails.requested`];
  });
  afterAll(async () => {
    await agent?.close();
    await ingress.close();
  });

  const lead = (id: string, email: string) =>
    Buffer.from(JSON.stringify({ id, type: 'lead.created', data: { id: `crm-${id}`, email, company: 'Acme', company_size: 500, country: 'DE', title: 'Head of IT' } }));
  const deliver = async (body: Buffer) => {
    const res = await ingress.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: signed('crm', body) });
    expect(res.statusCode).toBe(202);
  };
  const causedBy = (id: string) => (r: { message: { headers?: Record<string, unknown> } }) => header(r.message as never, 'ce_causationid') === id;

  it('turns a webhook delivered three times into exactly one leads.qualified and one emails.requested', async () => {
    const id = unique('lead');
    const body = lead(id, `${id}@acme-corp.example`);
    await deliver(body);
    await deliver(body);
    await deliver(body);
    agent = await startAgent('lead-agent', LeadAgentModule, ingress.prefix);

    const sentinel = unique('sentinel');
    await deliver(lead(sentinel, `${sentinel}@acme-corp.example`));
    const seen = await readSettled(kafka, outputs, (r) => r.filter(causedBy(sentinel)).length >= 2 && r.filter(causedBy(id)).length >= 2, 90_000);

    const mine = seen.filter(causedBy(id));
    expect(mine.map((r) => r.topic).sort()).toEqual([`${ingress.prefix}emails.requested`, `${ingress.prefix}leads.qualified`]);
    const qualified = JSON.parse(String(mine.find((r) => r.topic.endsWith('leads.qualified'))?.message.value)) as Record<string, unknown>;
    expect(qualified).toMatchObject({ email: `${id}@acme-corp.example`, owner: 'alex.weber@example.com', returning: false });
    expect(qualified.score).toBeGreaterThanOrEqual(60);
  });

  it('still skips a duplicate after the agent restarted', async () => {
    const id = unique('lead');
    const body = lead(id, `${id}@acme-corp.example`);
    await deliver(body);
    const first = await readUntil(kafka, outputs, (r) => r.filter(causedBy(id)).length >= 2, 90_000);
    expect(first.filter(causedBy(id))).toHaveLength(2);

    await agent?.close();
    agent = await startAgent('lead-agent', LeadAgentModule, ingress.prefix);
    await deliver(body); // the provider retries after our restart
    const sentinel = unique('sentinel');
    await deliver(lead(sentinel, `${sentinel}@acme-corp.example`));
    const after = await readSettled(kafka, outputs, (r) => r.filter(causedBy(sentinel)).length >= 2 && r.filter(causedBy(id)).length >= 2, 90_000);
    expect(after.filter(causedBy(id))).toHaveLength(2);
  });
});
