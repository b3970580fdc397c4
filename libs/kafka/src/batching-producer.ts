import { performance } from 'node:perf_hooks';
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { AppError, backoffDelay, type BackoffPolicy, type JsonLogger, sleep } from '@app/common';

const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5000 };

export interface OutboundRecord {
  topic: string;
  message: Message;
}

/** What the ingress needs of a producer; BatchingProducer is the real one, tests pass fakes. */
export interface ProducerPort {
  send(record: OutboundRecord): Promise<void>;
  readonly connected: boolean;
  readonly inFlight: number;
}

export interface BatchingProducerOptions {
  /** Records gathered into one produce request at most. */
  maxBatchRecords: number;
  /** Bytes gathered into one produce request at most (a larger single record still goes alone). */
  maxBatchBytes: number;
  /** Records waiting or in flight at most; past this, send() fails at once with OVERLOADED. */
  maxPendingRecords: number;
  /** Bytes waiting or in flight at most. */
  maxPendingBytes: number;
  /** A caller waits this long for the broker's acknowledgement, then gets KAFKA_UNAVAILABLE. */
  deadlineMs: number;
  /** Compression of each produce request's record batch (kafkajs CompressionTypes; None by default). */
  compression?: CompressionTypes;
  onBatch?: (records: number, seconds: number, ok: boolean) => void;
}

export const DEFAULT_BATCHING: BatchingProducerOptions = {
  maxBatchRecords: 1000,
  maxBatchBytes: 1024 * 1024,
  maxPendingRecords: 20_000,
  maxPendingBytes: 128 * 1024 * 1024,
  deadlineMs: 5000,
};

interface Pending {
  record: OutboundRecord;
  bytes: number;
  resolve: () => void;
  reject: (e: AppError) => void;
  /** When the caller stops waiting (performance.now(): a clock that never steps back or jumps ahead). */
  deadline: number;
  settled: boolean;
}

const size = (m: Message): number => {
  let n = (m.value?.length ?? 0) + (m.key?.length ?? 0);
  const headers = m.headers;
  if (headers) {
    for (const k in headers) {
      const v = headers[k];
      n += k.length + (typeof v === 'string' || Buffer.isBuffer(v) ? v.length : 64);
    }
  }
  return n;
};

/**
 * An idempotent, acks=all producer that gathers concurrent send() calls into shared produce requests,
 * with exactly one request in flight at a time. kafkajs has no linger, and several concurrent sends on
 * one idempotent producer can reorder or lose records (kafkajs #598, #1005), so while one request is in
 * flight the next callers queue, and the queue becomes the next batch.
 *
 * A caller is answered only after the broker acknowledged its record. When the deadline passes first, the
 * caller gets KAFKA_UNAVAILABLE; a record still queued at that moment is withdrawn (never written), one
 * already in flight may still land, which is safe because event ids are stable across provider retries.
 */
export class BatchingProducer implements ProducerPort {
  private producer?: Producer;
  private queue: Pending[] = [];
  private pendingRecords = 0;
  private pendingBytes = 0;
  private sending = false;
  private pumpScheduled = false;
  private isConnected = false;
  private reconnecting?: Promise<void>;
  private closed = false;
  private requestStartedAt?: number;
  /** A caller gave up waiting on the request in flight: unavailable until that request ends. */
  private stalled = false;
  /** The records of the produce request in flight (taken from the queue: their deadline can no longer withdraw them). */
  private inFlightBatch: Pending[] = [];
  /**
   * One timer for every caller's deadline. Records share one deadline and leave in the order sent (the
   * batch in flight, then the queue), so the oldest unanswered one, the timer's, is the first unanswered
   * record of the batch or else the first queued one.
   */
  private deadlineTimer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: JsonLogger,
    private readonly options: BatchingProducerOptions = DEFAULT_BATCHING,
  ) {}

  /**
   * Connected, and not stuck: a produce request older than the deadline means the broker is unreachable
   * or too slow, so callers are turned away at once (503) instead of queueing behind it.
   */
  get connected(): boolean {
    if (!this.isConnected || this.stalled) return false;
    return this.requestStartedAt === undefined || performance.now() - this.requestStartedAt < this.options.deadlineMs;
  }

  get inFlight(): number {
    return this.pendingRecords;
  }

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Leader moves and new topics' elections are retried within the callers' deadline.
      retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await this.producer.connect();
    this.isConnected = true;
  }

  send(record: OutboundRecord): Promise<void> {
    if (this.closed || !this.connected) return Promise.reject(new AppError('KAFKA_UNAVAILABLE'));
    const bytes = size(record.message);
    if (this.pendingRecords + 1 > this.options.maxPendingRecords || this.pendingBytes + bytes > this.options.maxPendingBytes) {
      return Promise.reject(new AppError('OVERLOADED'));
    }
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { record, bytes, resolve, reject, deadline: performance.now() + this.options.deadlineMs, settled: false };
      this.pendingRecords += 1;
      this.pendingBytes += bytes;
      this.queue.push(p);
      this.deadlineTimer ??= setTimeout(() => this.expire(), this.options.deadlineMs);
      this.schedulePump();
    });
  }

  /**
   * The deadline timer: answers KAFKA_UNAVAILABLE to every caller whose deadline has passed (one in flight
   * marks the producer stalled; a queued one is withdrawn, never written), then sets itself again for the
   * oldest caller still waiting.
   */
  private expire(): void {
    this.deadlineTimer = undefined;
    const now = performance.now();
    for (const p of this.inFlightBatch) {
      if (p.settled) continue;
      if (p.deadline > now) break;
      this.stalled = true;
      this.settle(p, new AppError('KAFKA_UNAVAILABLE'));
    }
    let expired = 0;
    while (expired < this.queue.length && this.queue[expired].deadline <= now) expired++;
    for (const p of this.queue.splice(0, expired)) {
      this.release(p);
      this.settle(p, new AppError('KAFKA_UNAVAILABLE'));
    }
    const oldest = this.inFlightBatch.find((p) => !p.settled) ?? this.queue[0];
    if (oldest) this.deadlineTimer = setTimeout(() => this.expire(), Math.max(1, oldest.deadline - now));
  }

  /** No caller waits any more: the deadline timer goes. */
  private stopDeadlineTimerIfIdle(): void {
    if (this.queue.length > 0 || this.inFlightBatch.some((p) => !p.settled)) return;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  /**
   * Starts the next produce request after the current turn of the event loop, not inside this send():
   * every request whose body arrived in the same turn then shares it (an idle producer would otherwise
   * send the first record alone and queue the rest behind it). Costs microseconds, saves a produce
   * request per turn.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.sending) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  /** Answers the caller, once. */
  private settle(p: Pending, error?: AppError): void {
    if (p.settled) return;
    p.settled = true;
    if (error) p.reject(error);
    else p.resolve();
  }

  /** Stops counting a record against the bounds: when its request ended, or it left the queue unsent. */
  private release(p: Pending): void {
    this.pendingRecords -= 1;
    this.pendingBytes -= p.bytes;
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.options.maxBatchRecords) {
      const next = this.queue[0];
      if (batch.length > 0 && bytes + next.bytes > this.options.maxBatchBytes) break;
      this.queue.shift();
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  private async pump(): Promise<void> {
    if (this.sending || !this.isConnected || !this.producer) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && this.isConnected && this.producer) {
        const batch = this.takeBatch();
        this.inFlightBatch = batch;
        const byTopic = new Map<string, Message[]>();
        for (const p of batch) {
          const list = byTopic.get(p.record.topic);
          if (list) list.push(p.record.message);
          else byTopic.set(p.record.topic, [p.record.message]);
        }
        const t0 = process.hrtime.bigint();
        this.requestStartedAt = performance.now();
        try {
          await this.producer.sendBatch({ acks: -1, compression: this.options.compression ?? CompressionTypes.None, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          this.stalled = false;
          this.options.onBatch?.(batch.length, Number(process.hrtime.bigint() - t0) / 1e9, true);
          for (const p of batch) {
            this.release(p);
            this.settle(p);
          }
        } catch (err) {
          this.options.onBatch?.(batch.length, Number(process.hrtime.bigint() - t0) / 1e9, false);
          this.logger.warn('produce request failed; reconnecting the producer', { error: err, records: batch.length });
          for (const p of batch) {
            this.release(p);
            this.settle(p, new AppError('KAFKA_UNAVAILABLE'));
          }
          this.failQueue();
          this.startReconnect();
        } finally {
          this.inFlightBatch = [];
          this.stopDeadlineTimerIfIdle();
        }
      }
    } finally {
      this.sending = false;
      this.requestStartedAt = undefined;
      this.stalled = false;
    }
  }

  private failQueue(): void {
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) {
      this.release(p);
      this.settle(p, new AppError('KAFKA_UNAVAILABLE'));
    }
  }

  private startReconnect(): void {
    this.isConnected = false;
    if (this.reconnecting || this.closed) return;
    this.reconnecting = (async () => {
      // A failed idempotent producer may hold sequence numbers the broker no longer accepts: start afresh.
      await this.producer?.disconnect().catch(() => undefined);
      for (let failures = 1; !this.closed; failures++) {
        try {
          await this.connect();
          this.logger.info('producer reconnected');
          return;
        } catch (err) {
          const delay = backoffDelay(RECONNECT_BACKOFF, failures);
          this.logger.warn('producer reconnect failed; retrying', { error: err, retryInMs: delay });
          await sleep(delay);
        }
      }
    })().finally(() => (this.reconnecting = undefined));
  }

  /** Waits for queued and in-flight records (up to the deadline), then disconnects. */
  async disconnect(): Promise<void> {
    const deadline = Date.now() + this.options.deadlineMs;
    while (this.pendingRecords > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    this.failQueue();
    this.stopDeadlineTimerIfIdle();
    await this.producer?.disconnect().catch(() => undefined);
    this.isConnected = false;
  }
}
