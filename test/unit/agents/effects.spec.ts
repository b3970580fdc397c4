import type { Kafka } from 'kafkajs';
import { ChunkProcessor, DeadLetterError, effectKey, Limiter, type AgentContext, type ChunkOutcome, type HandlerFn, type InputRecord } from '@app/agent';
import { JsonLogger, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';
import { readProcessed } from '../../../libs/agent/src/changelog';
import { Task } from '../../../libs/agent/src/task';

const lead = (id: string, offset = '0'): InputRecord => {
  const m = toKafkaMessage({ id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date(0).toISOString(), data: { crmId: id, email: `${id}@acme.io` }, extensions: {} }, `${id}@acme.io`);
  return { topic: Topics.LeadsCreated, partition: 0, offset, key: Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), headers: m.headers };
};

let retryOffset = 5000;
/** The records a chunk wrote to the retry topic, as the consumer would hand them back. */
const retried = (out: ChunkOutcome): InputRecord[] =>
  out.messages
    .filter((m) => m.topic === 'p.fx-agent.retry')
    .map((m) => ({ topic: 'fx-agent.retry', partition: 0, offset: String(retryOffset++), key: m.message.key as Buffer, value: m.message.value as Buffer, headers: m.message.headers }));

/** A task of partition 0 whose transactions are its changelog records (no broker: Task is used for its stores). */
const newTask = () => new Task(0, {} as Kafka, 'tx', { processed: 'p.fx-agent.processed', state: 'p.fx-agent.state', group: 'g' }, 72 * 3_600_000);

describe('effects (AgentContext.effect)', () => {
  const logger = new JsonLogger('test', 'error');
  let handler: HandlerFn;
  const processor = (maxAttempts = 3, timeoutMs = 5000) =>
    new ChunkProcessor('fx-agent', 'p.', (t) => (t === Topics.LeadsCreated ? handler : undefined), { retry: { maxAttempts, initialBackoffMs: 1, maxBackoffMs: 2 }, handlerTimeoutMs: timeoutMs, limiter: new Limiter(8) }, logger);

  /** Runs a chunk on a task and "commits" it (what runChunkTransaction does after the transaction). */
  async function chunk(task: Task, records: InputRecord[], p = processor()) {
    const overlay = task.overlay();
    const out = await p.process(records, overlay);
    const changelog = task.changelogRecords(overlay, Date.now());
    overlay.commit(Date.now());
    return { out, changelog };
  }

  it('passes a key derived from the event id and the effect name: stable across attempts, distinct per name and per event', () => {
    expect(effectKey('e1', 'charge')).toBe(effectKey('e1', 'charge'));
    expect(effectKey('e1', 'charge')).not.toBe(effectKey('e1', 'email'));
    expect(effectKey('e1', 'charge')).not.toBe(effectKey('e2', 'charge'));
    expect(effectKey('e1', 'charge')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('records the result of an effect whose attempt failed later, and the retry gets it back without calling the function', async () => {
    const calls: string[] = [];
    const seen: unknown[] = [];
    handler = async (_data: unknown, ctx: AgentContext) => {
      const invoice = await ctx.effect('invoice', async (key) => {
        calls.push(key);
        return { invoiceId: `inv-${calls.length}` };
      });
      seen.push(invoice);
      if (ctx.attempt === 1) throw new Error('publishing failed after the invoice');
    };
    const task = newTask();
    const first = await chunk(task, [lead('e1')]);
    expect(first.out).toMatchObject({ retries: 1, processed: 0, effectsRun: 1 });
    // The effect's result rides the retry's transaction, in the processed topic.
    const recorded = first.changelog.filter((r) => r.topic === 'p.fx-agent.processed').map((r) => readProcessed(null, Buffer.from(String(r.message.value))));
    expect(recorded).toContainEqual(expect.objectContaining({ kind: 'effect', result: { invoiceId: 'inv-1' } }));
    const second = await chunk(task, retried(first.out));
    expect(second.out).toMatchObject({ processed: 1, effectsRun: 0, effectsReplayed: 1 });
    expect(calls).toEqual([effectKey('e1', 'invoice')]);
    expect(seen).toEqual([{ invoiceId: 'inv-1' }, { invoiceId: 'inv-1' }]);
  });

  it('keeps nothing for the effects of a processed event: the dedup window already stops it running again', async () => {
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('enrich', async () => ({ company: 'Acme', score: 80 }));
    };
    const task = newTask();
    const { out, changelog } = await chunk(task, [lead('e1'), lead('e2', '1'), lead('e3', '2')]);
    expect(out).toMatchObject({ processed: 3, effectsRun: 3 });
    expect(task.effects.size).toBe(0);
    expect(changelog.filter((r) => String(r.message.value).includes('"e"'))).toHaveLength(0);
  });

  it('clears what a failed attempt recorded once the event is processed, in memory and for a new owner', async () => {
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('invoice', async () => ({ invoiceId: 'inv-1' }));
      if (ctx.attempt === 1) throw new Error('publishing failed after the invoice');
    };
    const task = newTask();
    const first = await chunk(task, [lead('e1')]);
    expect(task.effects.size).toBe(1);
    const second = await chunk(task, retried(first.out));
    expect(second.out).toMatchObject({ processed: 1, effectsReplayed: 1 });
    expect(task.effects.size).toBe(0);
    // The processed topic read back in order, as restorer.ts does: recorded, then cleared.
    const next = newTask();
    for (const r of [...first.changelog, ...second.changelog].filter((c) => c.topic === 'p.fx-agent.processed')) {
      const entry = readProcessed(null, Buffer.from(String(r.message.value)));
      if (entry.kind === 'effect') next.effects.add(entry.digest, entry.result, entry.atMs);
      if (entry.kind === 'effect-cleared') next.effects.delete(entry.digest);
    }
    expect(next.effects.size).toBe(0);
  });

  it('runs an unrecorded effect again with the same key (a crash before the commit: the chunk is not committed)', async () => {
    const keys: string[] = [];
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('send', async (key) => keys.push(key));
    };
    const task = newTask();
    // The first run's transaction never commits: its overlay is dropped, as after SIGKILL.
    await processor().process([lead('e1')], task.overlay());
    await chunk(task, [lead('e1')]);
    expect(keys).toEqual([effectKey('e1', 'send'), effectKey('e1', 'send')]);
  });

  it('restores recorded effects from the processed topic: a new owner replays them', async () => {
    let calls = 0;
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('dispatch', async () => ({ n: ++calls }));
      throw new DeadLetterError('rejected after the effect');
    };
    const first = newTask();
    const { changelog } = await chunk(first, [lead('e1')]);
    // A new owner reads partition p of the processed topic back (restorer.ts does the same per record).
    const next = newTask();
    for (const r of changelog.filter((c) => c.topic === 'p.fx-agent.processed')) {
      const entry = readProcessed(null, Buffer.from(String(r.message.value)));
      if (entry.kind === 'effect') next.effects.add(entry.digest, entry.result, entry.atMs);
    }
    expect(next.effects.size).toBe(1);
    // A redrive of the dead letter: same event id, new redrive number, so the handler runs again.
    let replayed: unknown;
    handler = async (_data: unknown, ctx: AgentContext) => {
      replayed = await ctx.effect('dispatch', async () => ({ n: ++calls }));
    };
    const redriven = { ...lead('e1'), topic: 'fx-agent.retry', headers: { ...lead('e1').headers, redrive: '1', retry_topic: Topics.LeadsCreated } };
    const out = await chunk(next, [redriven]);
    expect(out.out).toMatchObject({ processed: 1, effectsReplayed: 1 });
    expect(replayed).toEqual({ n: 1 });
    expect(calls).toBe(1);
  });

  it('records nothing for an effect that threw: the retry calls it again with the same key', async () => {
    const keys: string[] = [];
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('send', async (key) => {
        keys.push(key);
        if (keys.length === 1) throw new Error('421 try again later');
        return 'ok';
      });
    };
    const task = newTask();
    const first = await chunk(task, [lead('e1')]);
    expect(first.changelog.filter((r) => String(r.message.value).includes('"e"'))).toHaveLength(0);
    const second = await chunk(task, retried(first.out));
    expect(second.out.processed).toBe(1);
    expect(keys).toEqual([effectKey('e1', 'send'), effectKey('e1', 'send')]);
  });

  it.each([
    {
      name: 'the same effect name twice in one attempt',
      run: async (ctx: AgentContext) => {
        await ctx.effect('a', async () => 1);
        await ctx.effect('a', async () => 2);
      },
      error: 'effect "a" used twice',
    },
    { name: 'a result that is not JSON', run: async (ctx: AgentContext) => void (await ctx.effect('a', async () => 10n)), error: 'Do not know how to serialize a BigInt' },
    { name: 'a result over 64 KiB', run: async (ctx: AgentContext) => void (await ctx.effect('a', async () => 'x'.repeat(70_000))), error: 'over 65536 characters' },
    { name: 'an empty name', run: async (ctx: AgentContext) => void (await ctx.effect('', async () => 1)), error: 'effect name must be 1 to 200 characters' },
  ])('refuses $name (the attempt fails, nothing is recorded)', async ({ run, error }) => {
    handler = async (_data: unknown, ctx: AgentContext) => run(ctx);
    const { out, changelog } = await chunk(newTask(), [lead('e1')], processor(1));
    expect(out.deadLettered).toBe(1);
    const dlq = out.messages.find((m) => m.topic === 'p.fx-agent.dlq');
    expect(String(dlq?.message.headers?.dlq_error)).toContain(error);
    // Only the first "a" of the duplicate-name case returned; nothing else is recorded.
    expect(changelog.filter((r) => String(r.message.value).includes('"e"')).length).toBeLessThanOrEqual(1);
  });

  it('does not record an effect that returns after its attempt timed out, and refuses to start one', async () => {
    let resolveLate: (v: string) => void = () => undefined;
    const started: string[] = [];
    handler = async (_data: unknown, ctx: AgentContext) => {
      await ctx.effect('slow', (key) => {
        started.push(key);
        return new Promise<string>((r) => (resolveLate = r));
      });
      await ctx.effect('after', async () => 'never');
    };
    const task = newTask();
    const { out, changelog } = await chunk(task, [lead('e1')], processor(3, 50));
    expect(out.retries).toBe(1);
    resolveLate('late');
    await new Promise((r) => setImmediate(r));
    expect(changelog.filter((r) => String(r.message.value).includes('"e"'))).toHaveLength(0);
    expect(task.effects.size).toBe(0);
    expect(started).toHaveLength(1);
  });
});
