import { ChunkOverlay, ChunkProcessor, DeadLetterError, DedupStore, followUpId, StateStore, type AgentContext, type HandlerFn, type InputRecord } from '@app/agent';
import { headerString, JsonLogger, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';

const lead = (id: string, email = `${id}@acme.io`): InputRecord => {
  const m = toKafkaMessage(
    { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date(0).toISOString(), data: { crmId: id, email }, extensions: {} },
    email,
  );
  return { topic: Topics.LeadsCreated, partition: 0, offset: id.replace(/\D/g, '') || '0', key: Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), headers: m.headers };
};

describe('ChunkProcessor (no Kafka: the records it returns are what a transaction would commit)', () => {
  const logger = new JsonLogger('test', 'error');
  let calls: string[];
  let handler: HandlerFn;
  const processor = () =>
    new ChunkProcessor('lead-agent', 'p.', (t) => (t === Topics.LeadsCreated ? handler : undefined), { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 }, logger);
  const overlay = () => new ChunkOverlay(new DedupStore(3_600_000), new StateStore());

  beforeEach(() => {
    calls = [];
    handler = async (data: unknown, ctx: AgentContext) => {
      calls.push(ctx.event.id);
      ctx.publish(Topics.LeadsQualified, 'lead.qualified', { email: (data as { email: string }).email, crmId: 'c', score: 80, reasons: [], owner: 'o@x', returning: false });
    };
  });

  it('runs the handler once per event id, within a chunk and across committed chunks', async () => {
    const o1 = overlay();
    const p = processor();
    const first = await p.process([lead('e1'), lead('e1'), lead('e2')], o1);
    expect(calls).toEqual(['e1', 'e2']);
    expect(first).toMatchObject({ processed: 2, duplicates: 1 });
    o1.commit(Date.now());
    const o2 = new ChunkOverlay((o1 as unknown as { dedup: DedupStore }).dedup, new StateStore());
    const second = await p.process([lead('e1')], o2);
    expect(second).toMatchObject({ processed: 0, duplicates: 1 });
  });

  it('gives follow-ups deterministic ids derived from the input id and purpose', async () => {
    const out = await processor().process([lead('e7')], overlay());
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0].topic).toBe('p.leads.qualified');
    expect(headerString(out.messages[0].message.headers, 'ce_id')).toBe(followUpId('e7', 'lead.qualified'));
    expect(headerString(out.messages[0].message.headers, 'ce_causationid')).toBe('e7');
  });

  it('retries a failing handler with backoff, then dead-letters with the error and attempt count', async () => {
    handler = async () => {
      calls.push('x');
      throw new Error('boom');
    };
    const out = await processor().process([lead('e3')], overlay());
    expect(calls).toHaveLength(3);
    expect(out).toMatchObject({ processed: 0, deadLettered: 1, retries: 2 });
    const dlq = out.messages[0];
    expect(dlq.topic).toBe('p.lead-agent.dlq');
    expect(headerString(dlq.message.headers, 'dlq_error')).toBe('boom');
    expect(headerString(dlq.message.headers, 'dlq_attempts')).toBe('3');
    expect(headerString(dlq.message.headers, 'ce_id')).toBe('e3');
  });

  it('dead-letters at once, without retries, when the handler says the input is impossible', async () => {
    handler = async () => {
      calls.push('x');
      throw new DeadLetterError('impossible');
    };
    const out = await processor().process([lead('e4')], overlay());
    expect(calls).toHaveLength(1);
    expect(out).toMatchObject({ deadLettered: 1, retries: 0 });
  });

  it('dead-letters records that are not CloudEvents or break the topic contract, and moves on', async () => {
    const broken: InputRecord = { topic: Topics.LeadsCreated, partition: 0, offset: '9', key: null, value: Buffer.from('{}'), headers: {} };
    const invalid = lead('e5', 'not-an-email');
    const out = await processor().process([broken, invalid, lead('e6')], overlay());
    expect(out.deadLettered).toBe(2);
    expect(out.processed).toBe(1);
    expect(out.messages.map((m) => headerString(m.message.headers, 'dlq_reason') ?? 'ok')).toEqual([
      expect.stringMatching(/invalid CloudEvent/) as string,
      expect.stringMatching(/invalid Lead: email/) as string,
      'ok',
    ]);
  });

  it('publishes nothing from a failed attempt: only the successful attempt’s follow-ups and state count', async () => {
    let attempt = 0;
    handler = async (_d, ctx) => {
      ctx.state.put({ attempt: ++attempt });
      ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: 'a@b.io', crmId: 'c', score: 1, reasons: [] });
      if (attempt < 2) throw new Error('transient');
    };
    const o = overlay();
    const out = await processor().process([lead('e8')], o);
    expect(out.messages).toHaveLength(1);
    expect(o.state.get('e8@acme.io')).toEqual({ attempt: 2 });
  });

  it('reads a deleted or expiring key as absent (undefined), like a key never written', async () => {
    const seen: unknown[] = [];
    handler = async (_d, ctx) => {
      seen.push(ctx.state.get());
      ctx.state.delete();
      seen.push(ctx.state.get());
    };
    const o = overlay();
    o.state.set('e9@acme.io', null); // an expiry tombstone placed in the chunk before the handler ran
    await processor().process([lead('e9')], o);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('rejects a follow-up that breaks its topic contract, so the handler is retried then dead-lettered', async () => {
    handler = async (_d, ctx) => {
      ctx.publish(Topics.EmailsRequested, 'email.requested', { template: 'nope', to: 'x' });
    };
    const out = await processor().process([lead('e9')], overlay());
    expect(out.deadLettered).toBe(1);
    expect(headerString(out.messages[0].message.headers, 'dlq_error')).toMatch(/breaks its contract/);
  });
});

describe('DedupStore', () => {
  it('forgets ids older than the window and keeps the rest', () => {
    const d = new DedupStore(60 * 60_000);
    const now = Date.now();
    d.add('old', now - 2 * 60 * 60_000);
    d.add('new', now - 5 * 60_000);
    expect(d.prune(now)).toBe(1);
    expect(d.has('old')).toBe(false);
    expect(d.has('new')).toBe(true);
  });
});
