import { ChunkOverlay, ChunkProcessor, DeadLetterError, DedupStore, followUpId, Limiter, ParkedStore, StateStore, type AgentContext, type ChunkOutcome, type HandlerFn, type InputRecord } from '@app/agent';
import { headerString, JsonLogger, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';

const lead = (id: string, email = `${id}@acme.io`, offset?: string): InputRecord => {
  const m = toKafkaMessage(
    { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date(0).toISOString(), data: { crmId: id, email }, extensions: {} },
    email,
  );
  return { topic: Topics.LeadsCreated, partition: 0, offset: offset ?? (id.replace(/\D/g, '') || '0'), key: Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), headers: m.headers };
};

/** The records a chunk wrote to the agent's retry topic, as the consumer would hand them back. */
let retryOffset = 1000;
const retried = (out: ChunkOutcome): InputRecord[] =>
  out.messages
    .filter((m) => m.topic === 'p.lead-agent.retry')
    .map((m) => ({ topic: 'lead-agent.retry', partition: 0, offset: String(retryOffset++), key: m.message.key as Buffer, value: m.message.value as Buffer, headers: m.message.headers }));
const on = (out: ChunkOutcome, topic: string) => out.messages.filter((m) => m.topic === topic);
const header = (out: ChunkOutcome, topic: string, name: string) => on(out, topic).map((m) => headerString(m.message.headers, name));

describe('ChunkProcessor (no Kafka: the records it returns are what a transaction would commit)', () => {
  const logger = new JsonLogger('test', 'error');
  let calls: string[];
  let handler: HandlerFn;
  const processor = (opts: { maxAttempts?: number; timeoutMs?: number; limit?: number } = {}) =>
    new ChunkProcessor(
      'lead-agent',
      'p.',
      (t) => (t === Topics.LeadsCreated ? handler : undefined),
      { retry: { maxAttempts: opts.maxAttempts ?? 3, initialBackoffMs: 1, maxBackoffMs: 2 }, handlerTimeoutMs: opts.timeoutMs ?? 5000, limiter: new Limiter(opts.limit ?? 64) },
      logger,
    );
  /** A task's stores; `next()` is the overlay of the next chunk once the previous one committed. */
  const stores = () => {
    const dedup = new DedupStore(3_600_000);
    const state = new StateStore();
    const parked = new ParkedStore();
    let current = new ChunkOverlay(dedup, state, parked);
    return {
      parked,
      get overlay() {
        return current;
      },
      commit() {
        current.commit(Date.now());
        current = new ChunkOverlay(dedup, state, parked);
        return current;
      },
    };
  };
  const overlay = () => stores().overlay;

  beforeEach(() => {
    calls = [];
    handler = async (data: unknown, ctx: AgentContext) => {
      calls.push(ctx.event.id);
      ctx.publish(Topics.LeadsQualified, 'lead.qualified', { email: (data as { email: string }).email, crmId: 'c', score: 80, reasons: [], owner: 'o@x', returning: false });
    };
  });

  it('runs the handler once per event id, within a chunk and across committed chunks', async () => {
    const t = stores();
    const p = processor();
    const first = await p.process([lead('e1'), lead('e1'), lead('e2')], t.overlay);
    expect(calls).toEqual(['e1', 'e2']);
    expect(first).toMatchObject({ processed: 2, duplicates: 1 });
    const second = await p.process([lead('e1')], t.commit());
    expect(second).toMatchObject({ processed: 0, duplicates: 1 });
  });

  it('gives follow-ups deterministic ids derived from the input id and purpose', async () => {
    const out = await processor().process([lead('e7')], overlay());
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0].topic).toBe('p.leads.qualified');
    expect(headerString(out.messages[0].message.headers, 'ce_id')).toBe(followUpId('e7', 'lead.qualified'));
    expect(headerString(out.messages[0].message.headers, 'ce_causationid')).toBe('e7');
  });

  it('schedules a failed attempt on the retry topic instead of waiting, then dead-letters after the last attempt with its history', async () => {
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      throw new Error('boom');
    };
    const t = stores();
    const p = processor();
    let out = await p.process([lead('e3')], t.overlay);
    expect(out).toMatchObject({ processed: 0, retries: 1, deadLettered: 0 });
    expect(header(out, 'p.lead-agent.retry', 'retry_attempts')).toEqual(['1']);
    expect(Number(header(out, 'p.lead-agent.retry', 'retry_due')[0])).toBeGreaterThan(Date.now() - 1000);
    expect(header(out, 'p.lead-agent.retry', 'retry_topic')).toEqual([Topics.LeadsCreated]);
    for (let round = 2; round <= 3; round++) {
      const again = retried(out);
      t.commit();
      out = await p.process(again, t.overlay);
    }
    expect(calls).toEqual(['e3#1', 'e3#2', 'e3#3']);
    expect(out).toMatchObject({ deadLettered: 1, retries: 0 });
    const dlq = on(out, 'p.lead-agent.dlq')[0];
    expect(headerString(dlq.message.headers, 'dlq_error')).toBe('boom');
    expect(headerString(dlq.message.headers, 'dlq_attempts')).toBe('3');
    expect(headerString(dlq.message.headers, 'dlq_topic')).toBe(Topics.LeadsCreated);
    expect(headerString(dlq.message.headers, 'ce_id')).toBe('e3');
    expect((JSON.parse(headerString(dlq.message.headers, 'retry_history') ?? '[]') as { attempt: number }[]).map((h) => h.attempt)).toEqual([1, 2, 3]);
    t.commit();
    expect(t.parked.size).toBe(0);
  });

  it('keeps a key in order while it waits: later records of the key queue behind it, other keys go on', async () => {
    let failNext = true;
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      if (ctx.event.id === 'a1' && failNext) throw new Error('transient');
    };
    const t = stores();
    const p = processor();
    const out = await p.process([lead('a1', 'same@acme.io', '1'), lead('b1', 'other@acme.io', '2'), lead('a2', 'same@acme.io', '3')], t.overlay);
    expect(calls).toEqual(['a1#1', 'b1#1']);
    expect(out).toMatchObject({ processed: 1, retries: 1, queued: 1 });
    t.commit();
    expect(t.parked.get('same@acme.io')).toMatchObject({ head: 'a1', queued: 2 });
    // A new record of the parked key, read from the input before the retries come back: it queues too.
    const later = await p.process([lead('a3', 'same@acme.io', '4')], t.overlay);
    expect(later).toMatchObject({ processed: 0, queued: 1 });
    const back = [...retried(out), ...retried(later)];
    t.commit();
    failNext = false;
    calls = [];
    const resumed = await p.process(back, t.overlay);
    expect(calls).toEqual(['a1#2', 'a2#1', 'a3#1']);
    expect(resumed).toMatchObject({ processed: 3, queued: 0 });
    t.commit();
    expect(t.parked.size).toBe(0);
  });

  it('re-queues records read back while the head of their key still waits for its next attempt', async () => {
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      if (ctx.event.id === 'a1') throw new Error('still failing');
    };
    const t = stores();
    const p = processor({ maxAttempts: 5 });
    const out = await p.process([lead('a1', 'k@acme.io', '1'), lead('a2', 'k@acme.io', '2')], t.overlay);
    t.commit();
    const back = retried(out);
    const second = await p.process(back, t.overlay);
    expect(calls).toEqual(['a1#1', 'a1#2']);
    expect(second).toMatchObject({ retries: 1, queued: 1 });
    // The head goes back first, its queue after it: the order on the retry topic is the key's order.
    expect(on(second, 'p.lead-agent.retry').map((m) => headerString(m.message.headers, 'ce_id'))).toEqual(['a1', 'a2']);
    t.commit();
    expect(t.parked.get('k@acme.io')).toMatchObject({ head: 'a1', queued: 2 });
  });

  it('consumes a retry record once: read again (a new owner re-reading a committed consumption), it changes nothing', async () => {
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      if (ctx.event.id === 'h1') throw new Error('still failing');
    };
    const t = stores();
    const p = processor({ maxAttempts: 5 });
    const first = await p.process([lead('h1', 'k@acme.io', '1'), lead('h2', 'k@acme.io', '2')], t.overlay);
    t.commit();
    const back = retried(first);
    await p.process(back, t.overlay);
    t.commit();
    expect(t.parked.get('k@acme.io')).toMatchObject({ head: 'h1', queued: 2 });
    const again = await p.process(back, t.overlay);
    expect(again).toMatchObject({ processed: 0, retries: 0, queued: 0, duplicates: 2 });
    t.commit();
    expect(t.parked.get('k@acme.io')).toMatchObject({ head: 'h1', queued: 2 });
    expect(calls).toEqual(['h1#1', 'h1#2']);
  });

  it('a queued copy of the record its key waits for is not run as that record: it waits its turn and is skipped then', async () => {
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      if (ctx.event.id === 'd1' && ctx.attempt < 3) throw new Error('transient');
    };
    const t = stores();
    const p = processor({ maxAttempts: 5 });
    // d1 fails; its provider duplicate and a later lead of the key queue behind it.
    const first = await p.process([lead('d1', 'k@acme.io', '1'), lead('d1', 'k@acme.io', '2'), lead('d2', 'k@acme.io', '3')], t.overlay);
    t.commit();
    const second = await p.process(retried(first), t.overlay);
    // d1 fails again; the duplicate is not attempt 1 of d1: it goes round with d2.
    expect(second).toMatchObject({ retries: 1, queued: 2, processed: 0 });
    t.commit();
    expect(t.parked.get('k@acme.io')).toMatchObject({ head: 'd1', queued: 3 });
    // The retry topic now holds the two queued records before d1's next attempt: they go round once more.
    let back = retried(second);
    for (let round = 0; round < 3 && t.parked.size > 0; round++) {
      const out = await p.process(back, t.overlay);
      t.commit();
      back = retried(out);
    }
    expect(t.parked.size).toBe(0);
    expect(calls).toEqual(['d1#1', 'd1#2', 'd1#3', 'd2#1']);
  });

  it('keeps a key in order when records queued later are read back before one going round again', async () => {
    handler = async (_d, ctx) => {
      calls.push(`${ctx.event.id}#${ctx.attempt}`);
      if (ctx.event.id === 'o1' && ctx.attempt < 3) throw new Error('transient');
    };
    const t = stores();
    const p = processor({ maxAttempts: 5 });
    const first = await p.process([lead('o1', 'k@acme.io', '1'), lead('o2', 'k@acme.io', '2')], t.overlay); // o1 fails, o2 queued
    t.commit();
    const [r1, q2] = retried(first);
    // o1's second attempt fails; o2 goes round again: it is now behind o1's third attempt.
    const second = await p.process([r1, q2], t.overlay);
    t.commit();
    // Meanwhile o3 arrives and queues: on the retry topic it now sits before o2's second round.
    const third = await p.process([lead('o3', 'k@acme.io', '3')], t.overlay);
    t.commit();
    const [r1b, q2b] = retried(second);
    const [q3] = retried(third);
    // Read back in topic order: o1 succeeds, then o3 (queued later) comes before o2.
    const fourth = await p.process([r1b, q3, q2b], t.overlay);
    t.commit();
    const fifth = await p.process(retried(fourth), t.overlay);
    t.commit();
    expect(fifth.processed + fourth.processed).toBe(3);
    expect(calls.filter((c) => c.endsWith('#1') && c !== 'o1#1')).toEqual(['o2#1', 'o3#1']);
    expect(t.parked.size).toBe(0);
  });

  it('runs records of different keys concurrently, bounded by the limiter, and records of one key one at a time', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let keyOverlap = false;
    handler = async (_d, ctx) => {
      running++;
      peak = Math.max(peak, running);
      perKey.set(ctx.key, (perKey.get(ctx.key) ?? 0) + 1);
      if ((perKey.get(ctx.key) ?? 0) > 1) keyOverlap = true;
      await new Promise((r) => setTimeout(r, 20));
      perKey.set(ctx.key, (perKey.get(ctx.key) ?? 1) - 1);
      running--;
    };
    const records = Array.from({ length: 40 }, (_, i) => lead(`c${i}`, `k${i % 10}@acme.io`, String(i)));
    const started = Date.now();
    const out = await processor({ limit: 8 }).process(records, overlay());
    expect(out.processed).toBe(40);
    expect(peak).toBe(8);
    expect(keyOverlap).toBe(false);
    // 40 records of 20 ms, 8 at a time: far less than one at a time (800 ms).
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('counts an attempt that outlives HANDLER_TIMEOUT_MS as failed, and drops what it wrote', async () => {
    handler = async (_d, ctx) => {
      ctx.state.put('late');
      ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: 'a@b.io', crmId: 'c', score: 1, reasons: [] });
      await new Promise((r) => setTimeout(r, 200));
    };
    const o = overlay();
    const out = await processor({ timeoutMs: 20 }).process([lead('t1')], o);
    expect(out).toMatchObject({ processed: 0, retries: 1 });
    expect(on(out, 'p.leads.disqualified')).toHaveLength(0);
    expect(o.state.has('t1@acme.io')).toBe(false);
    expect(JSON.parse(header(out, 'p.lead-agent.retry', 'retry_history')[0] ?? '[]')).toEqual([expect.objectContaining({ attempt: 1, error: expect.stringMatching(/HANDLER_TIMEOUT_MS/) as string })]);
  });

  it('processes a redriven record again once, though its event id was processed', async () => {
    handler = async (_d, ctx) => {
      calls.push(ctx.event.id);
      throw new DeadLetterError('not yet');
    };
    const t = stores();
    const p = processor();
    const out = await p.process([lead('r1')], t.overlay);
    expect(out.deadLettered).toBe(1);
    t.commit();
    const dlq = on(out, 'p.lead-agent.dlq')[0];
    const redriven: InputRecord = {
      topic: 'lead-agent.retry',
      partition: 0,
      offset: '77',
      key: dlq.message.key as Buffer,
      value: dlq.message.value as Buffer,
      headers: { ...dlq.message.headers, redrive: '1', retry_topic: Topics.LeadsCreated },
    };
    handler = async (_d, ctx) => void calls.push(`${ctx.event.id} again`);
    expect(await p.process([redriven], t.overlay)).toMatchObject({ processed: 1 });
    t.commit();
    expect(await p.process([redriven], t.overlay)).toMatchObject({ processed: 0, duplicates: 1 });
    expect(await p.process([lead('r1')], t.overlay)).toMatchObject({ duplicates: 1 });
    expect(calls).toEqual(['r1', 'r1 again']);
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
    expect(header(out, 'p.lead-agent.dlq', 'dlq_reason')).toEqual([expect.stringMatching(/invalid CloudEvent/) as string, expect.stringMatching(/invalid Lead: email/) as string]);
  });

  it('publishes nothing from a failed attempt: only the successful attempt’s follow-ups and state count', async () => {
    let attempt = 0;
    handler = async (_d, ctx) => {
      ctx.state.put({ attempt: ++attempt });
      ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: 'a@b.io', crmId: 'c', score: 1, reasons: [] });
      if (attempt < 2) throw new Error('transient');
    };
    const t = stores();
    const p = processor();
    const first = await p.process([lead('e8')], t.overlay);
    expect(on(first, 'p.leads.disqualified')).toHaveLength(0);
    t.commit();
    const second = await p.process(retried(first), t.overlay);
    expect(on(second, 'p.leads.disqualified')).toHaveLength(1);
    expect(t.overlay.state.get('e8@acme.io')).toEqual({ attempt: 2 });
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

  it('rejects a follow-up that breaks its topic contract: the attempt fails and is retried, then dead-lettered', async () => {
    handler = async (_d, ctx) => {
      ctx.publish(Topics.EmailsRequested, 'email.requested', { template: 'nope', to: 'x' });
    };
    const out = await processor({ maxAttempts: 1 }).process([lead('e9')], overlay());
    expect(out.deadLettered).toBe(1);
    expect(header(out, 'p.lead-agent.dlq', 'dlq_error')[0]).toMatch(/breaks its contract/);
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
