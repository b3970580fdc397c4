import { randomBytes } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { backoffDelay, sleep, type BackoffPolicy } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import type { InputRecord } from './processor';
import { effectClearedMessage, effectMessage, markerMessage, parkedMessage, processedMessage, stateMessage } from './changelog';
import { ChunkOverlay, DedupStore, EffectStore, ParkedStore, StateStore } from './stores';


export interface TaskTopics {
  processed: string;
  state: string;
  group: string;
}

/**
 * Everything one instance holds for one task (input partition number p): a transactional producer whose
 * id is stable per task, and the dedup and state stores of partition p. Creating the producer fences any
 * older owner of the task (its open transaction is aborted, its later commits fail), which is how
 * exactly-once holds across rebalances without KIP-447 support in kafkajs.
 */
export class Task {
  readonly dedup: DedupStore;
  readonly effects: EffectStore;
  readonly state = new StateStore();
  readonly parked = new ParkedStore();
  readonly marker = randomBytes(12).toString('hex');
  /**
   * Two transactional producers, used in turn. After a commit the coordinator still writes the commit
   * markers; a next transaction on the same id meets CONCURRENT_TRANSACTIONS until it is done. Alternating
   * ids lets the next transaction start at once. Both ids belong to the task: taking it fences both.
   */
  private producers: Producer[] = [];
  private turn = 0;
  private chain: Promise<unknown> = Promise.resolve();
  closed = false;
  private prunedAt = Date.now();
  /** When keyed state was last checked for expiry; 0: at the first chunk (a restore may bring old keys). */
  private stateCheckedAt = 0;
  /** Records handed over by the consumer and not yet in a transaction, in offset order per input topic. */
  inbox: InputRecord[] = [];
  /** The drain loop, while one runs. */
  draining?: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(
    readonly partition: number,
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
    private readonly topics: TaskTopics,
    dedupWindowMs: number,
    private readonly stateTtlMs = 0,
  ) {
    this.dedup = new DedupStore(dedupWindowMs);
    this.effects = new EffectStore(dedupWindowMs);
  }

  /**
   * Deletes keyed state not written for stateTtlMs: tombstones in this chunk's overlay, so they ride its
   * transaction (a handler of the chunk that writes such a key again wins). Checked at most once a minute
   * (more often for TTLs under two minutes), at most 10,000 keys per chunk.
   */
  expireState(overlay: ChunkOverlay, nowMs: number): number {
    if (this.stateTtlMs <= 0 || nowMs - this.stateCheckedAt < Math.min(60_000, this.stateTtlMs / 2)) return 0;
    const keys = this.state.expired(nowMs, this.stateTtlMs, 10_000);
    // A full batch: more may be due, so look again at the next chunk.
    if (keys.length < 10_000) this.stateCheckedAt = nowMs;
    for (const k of keys) overlay.state.set(k, null);
    return keys.length;
  }

  /** Resolves at the next change of the inbox (a chunk taken, the task closed), or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Runs fn after everything queued before it on this task: one transaction at a time per task. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  overlay(): ChunkOverlay {
    return new ChunkOverlay(this.dedup, this.state, this.parked, this.effects);
  }

  /** Connects the transactional producer (fencing older owners) and commits this task's restore markers. */
  async fenceAndMark(): Promise<void> {
    this.producers = [this.transactionalId, `${this.transactionalId}.alt`].map((transactionalId) =>
      this.kafka.producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        // A backstop only: a process that dies inside a transaction has it aborted by the next owner's fencing
        // (fenceAndMark). Until then read_committed readers of the partitions it wrote wait behind it, so
        // when no one takes over (the only instance is restarting) this bounds the wait. A transaction
        // holds no handler time (handlers run before it begins): 10 s, as Kafka Streams uses under EOS,
        // not the client default of 60 s.
        transactionTimeout: 10_000,
        allowAutoTopicCreation: false,
        // CONCURRENT_TRANSACTIONS clears within milliseconds; kafkajs's default first wait of 300 ms would put
        // that on every back-to-back transaction's latency.
        retry: { retries: 10, initialRetryTime: 5, maxRetryTime: 1000 },
      }),
    );
    // Fence BOTH ids before the marker: InitProducerId with the transactional id bumps its epoch, aborts
    // the old owner's open transaction on it and makes its later commits fail. kafkajs's connect() does
    // not do this (it inits a plain idempotent producer id); it sends the transactional InitProducerId
    // lazily, on the first transaction() of each producer. Left to that, the `.alt` id was fenced only at
    // the first chunk, after the restore: an open transaction the killed process had on `.alt` held back
    // read_committed reads of `processed`/`state` (the restore) and the outputs until the transaction
    // timeout. transaction() + abort() is kafkajs's initTransactions: the abort of a transaction with
    // nothing in it sends no EndTxn.
    await Promise.all(
      this.producers.map(async (p) => {
        await p.connect();
        await (await p.transaction()).abort();
      }),
    );
    const marker = markerMessage(this.partition, this.marker);
    await this.transact([
      { topic: this.topics.processed, message: marker },
      { topic: this.topics.state, message: marker },
    ]);
  }

  /**
   * Commits records and, when given, the input offsets in one transaction: all of it becomes visible to
   * read_committed readers, or none of it.
   */
  async transact(records: OutboundRecord[], offsets?: { topic: string; partition: number; offset: string }[]): Promise<void> {
    // Back-to-back transactions can meet CONCURRENT_TRANSACTIONS while the coordinator still completes
    // the previous one (kafkajs #430, #1315): that one is worth a few quick retries, not a rebuild.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactOnce(records, offsets);
      } catch (err) {
        if (!isConcurrentTransactions(err) || attempt >= 6) throw err;
        await sleep(backoffDelay(CONCURRENT_TRANSACTIONS_BACKOFF, attempt));
      }
    }
  }

  private async transactOnce(records: OutboundRecord[], offsets?: { topic: string; partition: number; offset: string }[]): Promise<void> {
    const producer = this.producers[this.turn];
    if (!producer) throw new Error(`task ${this.partition} has no producer`);
    this.turn = (this.turn + 1) % this.producers.length;
    const tx = await producer.transaction();
    try {
      const byTopic = new Map<string, Message[]>();
      for (const r of records) {
        const list = byTopic.get(r.topic);
        if (list) list.push(r.message);
        else byTopic.set(r.topic, [r.message]);
      }
      if (byTopic.size > 0) await tx.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      if (offsets && offsets.length > 0) {
        await tx.sendOffsets({
          consumerGroupId: this.topics.group,
          topics: offsets.map((o) => ({ topic: o.topic, partitions: [{ partition: o.partition, offset: o.offset }] })),
        });
      }
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  /** The records that persist a committed chunk: its processed ids, effect results and state writes, in partition p. */
  changelogRecords(overlay: ChunkOverlay, nowMs: number): OutboundRecord[] {
    const out: OutboundRecord[] = [];
    if (overlay.ids.size > 0) out.push({ topic: this.topics.processed, message: processedMessage(this.partition, nowMs, overlay.ids) });
    for (const [d, r] of overlay.effects) out.push({ topic: this.topics.processed, message: effectMessage(this.partition, nowMs, d, r) });
    for (const d of overlay.effectsCleared) out.push({ topic: this.topics.processed, message: effectClearedMessage(this.partition, nowMs, d) });
    for (const [k, v] of overlay.state) out.push({ topic: this.topics.state, message: stateMessage(this.partition, k, v) });
    for (const [k, v] of overlay.parked) out.push({ topic: this.topics.state, message: parkedMessage(this.partition, k, v) });
    return out;
  }

  /** Forgets ids older than the dedup window, at most once a minute. */
  pruneIfDue(nowMs: number): void {
    if (nowMs - this.prunedAt < 60_000) return;
    this.prunedAt = nowMs;
    this.dedup.prune(nowMs);
    this.effects.prune(nowMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.inbox = [];
    this.notify();
    await this.chain.catch(() => undefined);
    const producers = this.producers;
    this.producers = [];
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
  }
}

/** CONCURRENT_TRANSACTIONS, possibly wrapped by kafkajs's retrier. */
/** CONCURRENT_TRANSACTIONS clears once the coordinator wrote the previous markers: milliseconds, not seconds. */
const CONCURRENT_TRANSACTIONS_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 1600 };

function isConcurrentTransactions(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { type?: string; cause?: unknown; originalError?: unknown };
    if (x.type === 'CONCURRENT_TRANSACTIONS') return true;
    e = x.cause ?? x.originalError;
  }
  return false;
}
