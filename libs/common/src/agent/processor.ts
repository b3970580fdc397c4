import type { IHeaders } from 'kafkajs';
import { contractFor } from '../contracts/registry';
import { validateAs } from '../contracts/validate';
import { childTraceparent, fromKafkaMessage, toKafkaMessage, type CloudEvent } from '../envelope/cloudevent';
import type { OutboundRecord } from '../kafka/batching-producer';
import { physicalTopic } from '../kafka/topics';
import type { JsonLogger } from '../logging/logger';
import { followUpId, idDigest } from './ids';
import type { ChunkOverlay } from './stores';
import type { AgentContext, PublishOptions, RetryPolicy } from './types';

export interface InputRecord {
  /** Logical topic (registry name, without the prefix). */
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
  retries: number;
  handlerSeconds: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a chunk of one task's records through their handlers: decode and validate, skip ids already
 * processed, retry failing handlers with backoff, dead-letter what still fails. Touches no Kafka client:
 * it returns the records to write, and the caller commits them with the offsets in one transaction.
 */
export class ChunkProcessor {
  constructor(
    private readonly agent: string,
    private readonly prefix: string,
    private readonly handlerFor: (topic: string) => HandlerFn | undefined,
    private readonly retry: RetryPolicy,
    private readonly logger: JsonLogger,
    private readonly now: () => number = Date.now,
  ) {}

  async process(records: InputRecord[], overlay: ChunkOverlay): Promise<ChunkOutcome> {
    const out: ChunkOutcome = { messages: [], processed: 0, duplicates: 0, deadLettered: 0, retries: 0, handlerSeconds: [] };
    for (const rec of records) {
      try {
        await this.one(rec, overlay, out);
      } catch (err) {
        // Handlers' failures are caught in one(); anything else is a record this code cannot read. Failing the
        // chunk would re-read the record forever and stall the partition: dead-letter it and move on.
        this.deadLetter(rec, out, 'record could not be processed', 0, err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  private async one(rec: InputRecord, overlay: ChunkOverlay, out: ChunkOutcome): Promise<void> {
    const decoded = fromKafkaMessage(rec);
    if (!decoded.ok) return this.deadLetter(rec, out, `invalid CloudEvent: ${decoded.reason}`, 0);
    const event = decoded.event;
    const digest = idDigest(event.id);
    if (overlay.seen(digest)) {
      out.duplicates++;
      return;
    }
    // From here the id counts as processed whatever happens, so a duplicate of a poison record is skipped.
    overlay.ids.add(digest);
    const contract = contractFor(rec.topic);
    let payload: unknown = event.data;
    if (contract) {
      const checked = validateAs(contract, event.data);
      if (!checked.ok) return this.deadLetter(rec, out, `invalid ${contract.name}: ${checked.reason}`, 0);
      payload = checked.value;
    }
    const handler = this.handlerFor(rec.topic);
    if (!handler) return this.deadLetter(rec, out, `no handler for topic ${rec.topic}`, 0);

    let backoff = this.retry.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      const run = new HandlerRun(this.agent, this.prefix, rec, event, decoded.key ?? '', overlay, this.logger, attempt, this.now());
      const t0 = process.hrtime.bigint();
      try {
        await handler(payload, run.context);
        out.handlerSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
        run.applyTo(overlay, out.messages);
        out.processed++;
        return;
      } catch (err) {
        out.handlerSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
        const message = err instanceof Error ? err.message : String(err);
        if (isDeadLetter(err)) return this.deadLetter(rec, out, 'rejected by handler', attempt, message);
        if (attempt >= this.retry.maxAttempts) return this.deadLetter(rec, out, 'handler failed', attempt, message);
        out.retries++;
        this.logger.warn('handler failed; retrying', { topic: rec.topic, offset: rec.offset, id: event.id, attempt, error: message, backoffMs: backoff });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, this.retry.maxBackoffMs);
      }
    }
  }

  private deadLetter(rec: InputRecord, out: ChunkOutcome, reason: string, attempts: number, error?: string): void {
    out.deadLettered++;
    this.logger.warn('record dead-lettered', { topic: rec.topic, partition: rec.partition, offset: rec.offset, reason, error, attempts });
    const headers: IHeaders = {
      ...producibleHeaders(rec.headers),
      dlq_agent: this.agent,
      dlq_reason: reason,
      dlq_attempts: String(attempts),
      dlq_topic: rec.topic,
      dlq_partition: String(rec.partition),
      dlq_offset: rec.offset,
      dlq_time: new Date(this.now()).toISOString(),
    };
    if (error !== undefined) headers.dlq_error = error.slice(0, 2000);
    out.messages.push({ topic: physicalTopic(this.prefix, `${this.agent}.dlq`), message: { key: rec.key, value: rec.value, headers } });
  }
}

/**
 * The record's headers as kafkajs can write them again. Kafka allows a header without a value (other
 * clients write them); kafkajs reads it as null but throws when asked to write one, which would fail the
 * dead-letter transaction again and again. Such headers are left out.
 */
export function producibleHeaders(headers: IHeaders | undefined): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      const present = (value as unknown[]).filter((v): v is Buffer | string => v !== null && v !== undefined);
      if (present.length > 0) out[name] = present;
    } else out[name] = value;
  }
  return out;
}

/** Nest may re-wrap a thrown error; its name survives. */
function isDeadLetter(err: unknown): boolean {
  return err instanceof DeadLetterError || (err instanceof Error && err.name === 'DeadLetterError');
}

/** One attempt of a handler: buffers its follow-ups and state writes until it succeeds. */
class HandlerRun {
  private readonly published: OutboundRecord[] = [];
  private readonly purposes = new Set<string>();
  private readonly writes = new Map<string, unknown>();
  readonly context: AgentContext;

  constructor(
    agent: string,
    prefix: string,
    rec: InputRecord,
    event: CloudEvent,
    key: string,
    overlay: ChunkOverlay,
    logger: JsonLogger,
    attempt: number,
    nowMs: number,
  ) {
    const read = (k: string) => (this.writes.has(k) ? this.writes.get(k) : overlay.get(k));
    this.context = {
      event,
      key,
      topic: rec.topic,
      partition: rec.partition,
      offset: rec.offset,
      attempt,
      logger,
      state: {
        // null marks a deletion (by the handler, or an expiry in this chunk): absent, as for a key never written.
        get: <T>(k = key) => (read(k) ?? undefined) as T | undefined,
        put: <T>(value: T, k = key) => void this.writes.set(k, value),
        delete: (k = key) => void this.writes.set(k, null),
      },
      publish: (topic: string, type: string, data: object, options: PublishOptions = {}) => {
        const purpose = options.purpose ?? type;
        if (this.purposes.has(purpose)) throw new Error(`follow-up purpose "${purpose}" used twice for one input; give each a distinct purpose`);
        this.purposes.add(purpose);
        const contract = contractFor(topic);
        if (contract) {
          const checked = validateAs(contract, data);
          if (!checked.ok) throw new Error(`follow-up on ${topic} breaks its contract: ${checked.reason}`);
        }
        const id = followUpId(event.id, purpose);
        const followUp: CloudEvent = {
          id,
          source: `/agents/${agent}`,
          type,
          time: new Date(nowMs).toISOString(),
          subject: options.subject ?? event.subject,
          data,
          extensions: { causationid: event.id, traceparent: childTraceparent(event.extensions.traceparent) },
        };
        this.published.push({ topic: physicalTopic(prefix, topic), message: toKafkaMessage(followUp, options.key ?? key) });
        return id;
      },
    };
  }

  applyTo(overlay: ChunkOverlay, messages: OutboundRecord[]): void {
    messages.push(...this.published);
    for (const [k, v] of this.writes) overlay.state.set(k, v);
  }
}
