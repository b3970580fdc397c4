import { ChunkOverlay, ChunkStopped, DedupStore, ParkedStore, runChunkTransaction, StateStore, type ChunkOutcome, type ChunkTask, type InputRecord } from '@app/agent';
import type { OutboundRecord } from '@app/kafka';
import type { Span, SpanStart, Tracing } from '@app/common';

/** The work of one transaction, with a fake task and processor: what is committed, and what is not. */
const rec = (topic: string, offset: number): InputRecord => ({ topic, partition: 3, offset: String(offset), key: Buffer.from('k'), value: Buffer.from('{}') });

class FakeTask implements ChunkTask {
  readonly partition = 3;
  closed = false;
  readonly dedup = new DedupStore(3_600_000);
  readonly state = new StateStore();
  readonly parked = new ParkedStore();
  transactions: { records: OutboundRecord[]; offsets: { topic: string; partition: number; offset: string }[] }[] = [];
  failWith?: Error;
  overlay(): ChunkOverlay {
    return new ChunkOverlay(this.dedup, this.state, this.parked);
  }
  expireState(): number {
    return 0;
  }
  changelogRecords(overlay: ChunkOverlay): OutboundRecord[] {
    return [...overlay.ids].map((id) => ({ topic: 'processed', message: { value: id } }));
  }
  async transact(records: OutboundRecord[], offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.transactions.push({ records, offsets });
  }
  pruneIfDue(): void {}
}

/** A processor that "handles" each record: one follow-up, its id processed, a state write. */
const processor = {
  calls: 0,
  async process(records: InputRecord[], overlay: ChunkOverlay): Promise<ChunkOutcome> {
    this.calls++;
    for (const r of records) {
      overlay.ids.add(`id-${r.offset}`);
      overlay.state.set('k', r.offset);
    }
    return { messages: records.map((r) => ({ topic: 'p.out', message: { value: r.offset } })), processed: records.length, duplicates: 0, deadLettered: 0, retries: 0, queued: 0, effectsRun: 0, effectsReplayed: 0, handlerSeconds: [] };
  },
};

describe('runChunkTransaction', () => {
  beforeEach(() => (processor.calls = 0));

  it('commits follow-ups, changelog and the next offset of each input topic in one transaction, then applies the stores', async () => {
    const task = new FakeTask();
    const r = await runChunkTransaction(task, [rec('leads.created', 7), rec('agent.retry', 2), rec('leads.created', 8)], processor, 'p.');
    expect(task.transactions).toHaveLength(1);
    const [tx] = task.transactions;
    expect(tx.records.map((m) => m.topic)).toEqual(['p.out', 'p.out', 'p.out', 'processed', 'processed', 'processed']);
    expect(tx.offsets).toEqual([
      { topic: 'p.leads.created', partition: 3, offset: '9' },
      { topic: 'p.agent.retry', partition: 3, offset: '3' },
    ]);
    expect(r.outcome.processed).toBe(3);
    expect(task.dedup.has('id-8')).toBe(true);
    expect(task.state.get('k')).toBe('8');
  });

  it('changes nothing in memory when the transaction fails, so the re-read chunk starts from what Kafka holds', async () => {
    const task = new FakeTask();
    task.failWith = new Error('fenced');
    await expect(runChunkTransaction(task, [rec('leads.created', 1)], processor, 'p.')).rejects.toThrow('fenced');
    expect(task.dedup.size).toBe(0);
    expect(task.state.size).toBe(0);
  });

  it('starts nothing for a task already revoked', async () => {
    const task = new FakeTask();
    task.closed = true;
    await expect(runChunkTransaction(task, [rec('leads.created', 1)], processor, 'p.')).rejects.toBeInstanceOf(ChunkStopped);
    expect(processor.calls).toBe(0);
    expect(task.transactions).toHaveLength(0);
  });

  describe('with tracing', () => {
    /** A Tracing that records what it was asked for. */
    class RecordingTracing implements Tracing {
      readonly enabled = true;
      spans: { name: string; options: SpanStart; traceparent: string; failed?: string; ended: boolean }[] = [];
      start(name: string, options: SpanStart = {}): Span {
        const entry = { name, options, traceparent: `00-${'a'.repeat(32)}-${String(this.spans.length + 1).padStart(16, '0')}-01`, ended: false } as RecordingTracing['spans'][number];
        this.spans.push(entry);
        return {
          traceparent: entry.traceparent,
          setAttributes: () => undefined,
          fail: (e: unknown) => void (entry.failed = e instanceof Error ? e.message : String(e)),
          end: () => void (entry.ended = true),
        };
      }
      shutdown = () => Promise.resolve();
    }
    const handlerSpan = '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01';

    it.each([
      ['commits', undefined, undefined],
      ['aborts', new Error('fenced'), 'fenced'],
    ])('%s: one commit span per traced handler run, its child, and the follow-up spans end with it', async (_what, failWith, failed) => {
      const tracing = new RecordingTracing();
      const publish = tracing.start('send p.out', { parent: handlerSpan, kind: 'producer' });
      const traced = { ...processor, process: async (r: InputRecord[], o: ChunkOverlay) => ({ ...(await processor.process(r, o)), traced: [{ handler: handlerSpan, publishes: [publish] }] }) };
      const task = new FakeTask();
      task.failWith = failWith;
      const run = runChunkTransaction(task, [rec('leads.created', 1), rec('leads.created', 2)], traced, 'p.', Date.now, tracing);
      if (failWith) await expect(run).rejects.toThrow('fenced');
      else await run;
      const commit = tracing.spans.find((x) => x.name === 'transaction commit');
      expect(commit?.options.parent).toBe(handlerSpan);
      expect(commit?.options.attributes).toEqual({ 'messaging.destination.partition.id': '3', 'hookline.transaction.input_records': 2, 'hookline.transaction.output_records': 4 });
      expect(tracing.spans.map((x) => [x.name, x.ended, x.failed])).toEqual([
        ['send p.out', true, failed],
        ['transaction commit', true, failed],
      ]);
    });
  });
});
