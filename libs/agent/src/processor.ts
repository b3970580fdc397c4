import type { IHeaders } from 'kafkajs';
import { agentTopics, contractFor, physicalTopic, validateAs } from '@app/contracts';
import { backoffDelay, fromKafkaMessage, headerString, type JsonLogger, type Span, type Tracing } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import { HandlerRun } from './handler-run';
import { idDigest } from './ids';
import { Limiter } from './limiter';
import { failedAttempt, readRetryInfo, retryHeaders, RETRY_HEADERS, type RetryInfo } from './retry-record';
import type { ChunkOverlay, Parked } from './stores';
import type { AgentContext, RetryPolicy } from './types';

export interface InputRecord {
  /** Logical topic (registry name, without the prefix): an input topic or the agent's retry topic. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/**
 * Thrown by a handler for an input that can never succeed (an impossible transition, an unknown entity):
 * the record goes to the dead-letter topic at once, without retries.
 */
export class DeadLetterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadLetterError';
  }
}

export type HandlerFn = (data: unknown, ctx: AgentContext) => Promise<unknown>;

export interface ChunkOutcome {
  messages: OutboundRecord[];
  processed: number;
  duplicates: number;
  deadLettered: number;
  /** Failed attempts scheduled for another attempt on the retry topic. */
  retries: number;
  /** Records of parked keys queued behind them on the retry topic. */
  queued: number;
  /** Effects whose function ran, and effects answered from their recorded result (AgentContext.effect). */
  effectsRun: number;
  effectsReplayed: number;
  handlerSeconds: number[];
  /** With tracing on: the spans of each successful handler run, for the commit span and to end its follow-up spans. */
  traced?: TracedRun[];
}

export interface TracedRun {
  /** Traceparent of the handler's CONSUMER span (ended): the parent of the commit span. */
  handler: string;
  /** The follow-ups' PRODUCER spans, still open: they end when the transaction commits. */
  publishes: Span[];
}

export interface ProcessorOptions {
  retry: RetryPolicy;
  /** An attempt still running after this long counts as failed (its writes and follow-ups are dropped). */
  handlerTimeoutMs: number;
  /** Handler attempts running at once in the process, shared by every task. */
  limiter: Limiter;
  now?: () => number;
  /** Spans per handler run and per follow-up; NO_TRACING (or unset) costs nothing. */
  tracing?: Tracing;
}

/** The task was revoked or closed while its chunk ran: the rest of the chunk is not started. */
export class ChunkStopped extends Error {
  constructor() {
    super('chunk stopped: the task was revoked or closed');
  }
}

class HandlerTimeout extends Error {
  constructor(ms: number) {
    super(`handler did not finish within ${ms} ms (HANDLER_TIMEOUT_MS)`);
  }
}

/**
 * Runs a chunk of one task's records through their handlers. Records with different keys run
 * concurrently (bounded by the process's limiter); records with the same key run one after the other in
 * offset order, so keyed state stays consistent. A failed attempt never waits here: the record goes to
 * the agent's retry topic with its attempt count and due time, its key is parked so later records of
 * that key queue behind it, and the chunk moves on. Touches no Kafka client: it returns the records to
 * write, and the caller commits them with the offsets in one transaction.
 */
export class ChunkProcessor {
  private readonly deadLetterTopic: string;
  private readonly retryTopic: string;
  private readonly retryLogical: string;
  private readonly now: () => number;

  constructor(
    private readonly agent: string,
    private readonly prefix: string,
    private readonly handlerFor: (topic: string) => HandlerFn | undefined,
    private readonly options: ProcessorOptions,
    private readonly logger: JsonLogger,
  ) {
    const own = agentTopics(agent);
    this.deadLetterTopic = physicalTopic(prefix, own.deadLetter.name);
    this.retryLogical = own.retry.name;
    this.retryTopic = physicalTopic(prefix, own.retry.name);
    this.now = options.now ?? Date.now;
  }

  async process(records: InputRecord[], overlay: ChunkOverlay, stopped: () => boolean = () => false): Promise<ChunkOutcome> {
    const out: ChunkOutcome = { messages: [], processed: 0, duplicates: 0, deadLettered: 0, retries: 0, queued: 0, effectsRun: 0, effectsReplayed: 0, handlerSeconds: [], traced: [] };
    // One lane per key, in offset order; lanes run concurrently. Each lane's output is kept apart and
    // appended in lane order, so the records a chunk writes do not depend on timing.
    const lanes = new Map<string, InputRecord[]>();
    for (const rec of records) {
      const k = rec.key === null ? '' : rec.key.toString('latin1');
      const lane = lanes.get(k);
      if (lane) lane.push(rec);
      else lanes.set(k, [rec]);
    }
    const claimed = new Set<string>();
    const outputs = await Promise.all(
      [...lanes.values()].map(async (lane) => {
        const messages: OutboundRecord[] = [];
        for (const rec of lane) {
          // A revoked task's new owner redoes this chunk: start nothing more here.
          if (stopped()) throw new ChunkStopped();
          try {
            await this.one(rec, overlay, out, messages, claimed);
          } catch (err) {
            // Handlers' failures are caught in one(); anything else is a record this code cannot read.
            // Failing the chunk would re-read it forever and stall the partition: dead-letter it, move on.
            const reason = err instanceof Error ? err.message : String(err);
            this.deadLetter(rec, rec.topic, out, messages, 'record could not be processed', { attempts: 0, history: [], redrive: 0 }, reason);
          }
        }
        return messages;
      }),
    );
    for (const m of outputs) out.messages.push(...m);
    return out;
  }

  private async one(rec: InputRecord, overlay: ChunkOverlay, out: ChunkOutcome, messages: OutboundRecord[], claimed: Set<string>): Promise<void> {
    const fromRetry = rec.topic === this.retryLogical;
    const info = readRetryInfo(rec.headers);
    const retry: RetryInfo = fromRetry ? info : { attempts: 0, dueMs: 0, history: [], redrive: info.redrive };
    // Only records the runtime scheduled (they carry an attempt count) were counted when their key was
    // parked; one an operator redrove or replayed was not, so reading it back uncounts nothing.
    const counted = fromRetry && headerString(rec.headers, RETRY_HEADERS.attempts) !== undefined;
    const topic = (fromRetry ? retry.originTopic : rec.topic) ?? rec.topic;
    if (fromRetry) {
      // A retry record is consumed once: its parked-key bookkeeping must not run twice. A new owner can
      // re-read records its predecessor consumed in a transaction that landed after the new owner read
      // its start offsets (the window before KIP-447); the marker, committed with the consumption, tells.
      const consumed = idDigest(`\u0000retry@${rec.partition}@${rec.offset}`);
      if (overlay.seen(consumed) || claimed.has(consumed)) {
        out.duplicates++;
        return;
      }
      claimed.add(consumed);
      overlay.ids.add(consumed);
    }
    const decoded = fromKafkaMessage(rec);
    if (!decoded.ok) {
      if (counted) this.unqueue(rec.key?.toString() ?? '', overlay);
      return this.deadLetter(rec, topic, out, messages, `invalid CloudEvent: ${decoded.reason}`, retry);
    }
    const event = decoded.event;
    const key = decoded.key ?? '';
    // Read back from the retry topic: the key counts one record fewer waiting there.
    if (counted) this.unqueue(key, overlay);
    const parked = overlay.parkedKey(key);
    // The record its key waits for, back for its next attempt (queued records carry a place instead).
    const isHead = fromRetry && retry.seq === undefined && retry.attempts > 0 && parked?.head === event.id;
    if (parked && !isHead) {
      // A parked key keeps its order. Its other records wait on the retry topic, each with its place in the
      // key's queue; read back, a record runs only once the head is done and its place is next, else it
      // goes round again (keeping its place), so records queued later never overtake it.
      const turn = fromRetry && retry.seq !== undefined && parked.head === undefined && retry.seq === parked.runSeq;
      if (!turn) {
        this.logger.debug('record queued behind its parked key', { topic: rec.topic, offset: rec.offset, id: event.id, key, head: parked.head, place: retry.seq });
        this.schedule(rec, topic, key, overlay, messages, { ...retry, dueMs: this.now() }, { place: retry.seq });
        out.queued++;
        return;
      }
      overlay.park(key, { ...parked, runSeq: parked.runSeq + 1 });
    }
    // A redriven record is a new chance for the same event: its own id for deduplication.
    const digest = idDigest(retry.redrive > 0 ? `${event.id}\u0000redrive-${retry.redrive}` : event.id);
    if (overlay.seen(digest) || claimed.has(digest)) {
      out.duplicates++;
      // The record its key waited for turned out processed already (a redrive or a re-read): the key moves on.
      if (isHead && overlay.seen(digest)) this.release(key, overlay);
      return;
    }
    claimed.add(digest);
    const contract = contractFor(topic);
    let payload: unknown = event.data;
    if (contract) {
      const checked = validateAs(contract, event.data);
      if (!checked.ok) {
        overlay.ids.add(digest);
        if (isHead) this.release(key, overlay);
        return this.deadLetter(rec, topic, out, messages, `invalid ${contract.name}: ${checked.reason}`, retry);
      }
      payload = checked.value;
    }
    const handler = this.handlerFor(topic);
    if (!handler) {
      overlay.ids.add(digest);
      if (isHead) this.release(key, overlay);
      return this.deadLetter(rec, topic, out, messages, `no handler for topic ${topic}`, retry);
    }

    const attempt = retry.attempts + 1;
    const span = this.tracing?.enabled ? this.handlerSpan(rec, topic, event.id, event.type, event.extensions.traceparent, attempt, retry.redrive) : undefined;
    const run = new HandlerRun(
      this.agent,
      this.prefix,
      { topic, partition: rec.partition, offset: rec.offset },
      event,
      key,
      overlay,
      this.logger,
      attempt,
      this.now(),
      span && this.tracing ? { tracing: this.tracing, handler: span } : undefined,
    );
    const t0 = process.hrtime.bigint();
    try {
      await this.options.limiter.run(() => this.withTimeout(handler(payload, run.context)));
      out.handlerSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
      run.applyTo(overlay, messages);
      out.effectsRun += run.effectCounts.run;
      out.effectsReplayed += run.effectCounts.replayed;
      overlay.ids.add(digest);
      out.processed++;
      if (isHead) this.release(key, overlay);
      if (span) {
        span.setAttributes({ 'hookline.outcome': 'processed', 'hookline.follow_ups': run.publishSpans.length });
        span.end();
        (out.traced ??= []).push({ handler: span.traceparent, publishes: run.publishSpans });
      }
    } catch (err) {
      out.handlerSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (span) {
        span.fail(err);
        span.end();
        // The attempt's follow-ups are dropped: never written.
        for (const p of run.publishSpans) {
          p.setAttributes({ 'hookline.outcome': 'discarded' });
          p.fail(new Error('handler attempt failed; follow-up not written'));
          p.end();
        }
      }
      // The effects that did return are recorded with the retry or the dead letter: the next attempt
      // (or a redrive) gets their results back instead of running them again.
      run.applyEffectsTo(overlay);
      out.effectsRun += run.effectCounts.run;
      out.effectsReplayed += run.effectCounts.replayed;
      const message = err instanceof Error ? err.message : String(err);
      const history = [...retry.history, failedAttempt(attempt, this.now(), message)];
      if (isDeadLetter(err) || attempt >= this.options.retry.maxAttempts) {
        // From here the id counts as processed, so a duplicate of a poison record is skipped.
        overlay.ids.add(digest);
        if (isHead) this.release(key, overlay);
        const reason = isDeadLetter(err) ? 'rejected by handler' : 'handler failed';
        return this.deadLetter(rec, topic, out, messages, reason, { ...retry, attempts: attempt, history }, message);
      }
      const delay = backoffDelay({ initialMs: this.options.retry.initialBackoffMs, maxMs: this.options.retry.maxBackoffMs }, attempt);
      this.logger.warn('handler failed; scheduled for another attempt', { topic, offset: rec.offset, id: event.id, attempt, error: message, retryInMs: delay });
      this.schedule(rec, topic, key, overlay, messages, { ...retry, seq: undefined, attempts: attempt, history, dueMs: this.now() + delay }, { head: event.id });
      out.retries++;
    }
  }

  private get tracing(): Tracing | undefined {
    return this.options.tracing;
  }

  /** The handler attempt's CONSUMER span, a child of the record's ce_traceparent (the span that produced it). */
  private handlerSpan(rec: InputRecord, topic: string, id: string, type: string, traceparent: string | undefined, attempt: number, redrive: number): Span | undefined {
    return this.tracing?.start(`process ${physicalTopic(this.prefix, topic)}`, {
      parent: traceparent,
      kind: 'consumer',
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': physicalTopic(this.prefix, topic),
        'messaging.destination.partition.id': String(rec.partition),
        'messaging.kafka.offset': Number(rec.offset),
        'messaging.consumer.group.name': physicalTopic(this.prefix, this.agent),
        'cloudevents.event_id': id,
        'cloudevents.event_type': type,
        'hookline.agent': this.agent,
        'hookline.attempt': attempt,
        'hookline.read_from': rec.topic,
        'hookline.redrive': redrive > 0 ? redrive : undefined,
      },
    });
  }

  private withTimeout(work: Promise<unknown>): Promise<unknown> {
    const ms = this.options.handlerTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeout(ms)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Writes the record to the retry topic (partition p, its own key) and parks its key: as the key's head
   * (a record that failed and waits for its next attempt), or queued behind it at a place in the key's
   * queue (a new place unless it has one).
   */
  private schedule(rec: InputRecord, topic: string, key: string, overlay: ChunkOverlay, messages: OutboundRecord[], info: RetryInfo, as: { head: string } | { place: number | undefined }): void {
    const parked = overlay.parkedKey(key) ?? { queued: 0, nextSeq: 0, runSeq: 0 };
    let next: Parked;
    let seq: number | undefined;
    if ('head' in as) next = { ...parked, head: as.head, queued: parked.queued + 1 };
    else {
      seq = as.place ?? parked.nextSeq;
      next = { ...parked, queued: parked.queued + 1, nextSeq: Math.max(parked.nextSeq, seq + 1) };
    }
    const headers = retryHeaders(rec.headers, { attempts: info.attempts, dueMs: info.dueMs, originTopic: topic, history: info.history, redrive: info.redrive, seq });
    messages.push({ topic: this.retryTopic, message: { partition: rec.partition, key: rec.key, value: rec.value, headers } });
    overlay.park(key, next);
  }

  /** A record of the key was read back from the retry topic. */
  private unqueue(key: string, overlay: ChunkOverlay): void {
    const parked = overlay.parkedKey(key);
    if (parked) overlay.park(key, { ...parked, queued: Math.max(0, parked.queued - 1) });
  }

  /** The key's failing record is done (processed or dead-lettered): records queued behind it may run. */
  private release(key: string, overlay: ChunkOverlay): void {
    const parked = overlay.parkedKey(key);
    if (parked) overlay.park(key, { ...parked, head: undefined });
  }

  private deadLetter(rec: InputRecord, topic: string, out: ChunkOutcome, messages: OutboundRecord[], reason: string, retry: Pick<RetryInfo, 'attempts' | 'history' | 'redrive'>, error?: string): void {
    out.deadLettered++;
    this.logger.warn('record dead-lettered', { topic, partition: rec.partition, offset: rec.offset, reason, error, attempts: retry.attempts });
    const headers: IHeaders = {
      ...retryHeaders(rec.headers, { attempts: retry.attempts, dueMs: 0, originTopic: topic, history: retry.history, redrive: retry.redrive }),
      dlq_agent: this.agent,
      dlq_reason: reason,
      dlq_attempts: String(retry.attempts),
      dlq_topic: topic,
      dlq_partition: String(rec.partition),
      dlq_offset: rec.offset,
      dlq_time: new Date(this.now()).toISOString(),
    };
    delete headers[RETRY_HEADERS.due];
    delete headers[RETRY_HEADERS.attempts];
    if (error !== undefined) headers.dlq_error = error.slice(0, 2000);
    messages.push({ topic: this.deadLetterTopic, message: { partition: rec.partition, key: rec.key, value: rec.value, headers } });
  }
}

/** Nest may re-wrap a thrown error; its name survives. */
function isDeadLetter(err: unknown): boolean {
  return err instanceof DeadLetterError || (err instanceof Error && err.name === 'DeadLetterError');
}
