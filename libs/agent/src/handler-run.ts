import { contractFor, physicalTopic, validateAs } from '@app/contracts';
import { childTraceparent, type CloudEvent, type JsonLogger, type Span, toKafkaMessage, type Tracing } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import { effectDigest, effectKey, followUpId } from './ids';
import type { ChunkOverlay } from './stores';
import type { AgentContext, PublishOptions } from './types';

const MAX_EFFECT_RESULT_CHARS = 64 * 1024;

/** Where the record a handler runs on came from, as the handler sees it. */
export interface RunSource {
  /** The handler's (logical) topic. */
  topic: string;
  partition: number;
  offset: string;
}

/** With tracing on: the handler's span, and how to start the spans of its follow-ups. */
export interface RunTrace {
  tracing: Tracing;
  handler: Span;
}

/** One attempt of a handler: buffers its follow-ups and state writes until it succeeds. */
export class HandlerRun {
  private readonly published: OutboundRecord[] = [];
  /** PRODUCER spans of the follow-ups, ended when their transaction commits (or the attempt fails). */
  readonly publishSpans: Span[] = [];
  private readonly purposes = new Set<string>();
  private readonly writes = new Map<string, unknown>();
  private readonly effectNames = new Set<string>();
  /** Effects that returned during this attempt, by digest: recorded however the attempt ends. */
  private readonly effects = new Map<string, unknown>();
  /** Set when the attempt is over (done, failed or timed out): later effects are neither started nor recorded. */
  private ended = false;
  /** Effects run (fn called) and replayed (a recorded result returned) by this attempt. */
  readonly effectCounts = { run: 0, replayed: 0 };
  readonly context: AgentContext;
  private readonly eventId: string;

  constructor(
    agent: string,
    prefix: string,
    rec: RunSource,
    event: CloudEvent,
    key: string,
    overlay: ChunkOverlay,
    logger: JsonLogger,
    attempt: number,
    nowMs: number,
    trace?: RunTrace,
  ) {
    this.eventId = event.id;
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
          extensions: { causationid: event.id, traceparent: trace ? this.publishSpan(trace, physicalTopic(prefix, topic), id, type) : childTraceparent(event.extensions.traceparent) },
        };
        this.published.push({ topic: physicalTopic(prefix, topic), message: toKafkaMessage(followUp, options.key ?? key) });
        return id;
      },
      effect: async <T>(name: string, fn: (idempotencyKey: string) => Promise<T>): Promise<T> => {
        if (this.ended) throw new Error(`effect "${name}" started after its attempt ended (HANDLER_TIMEOUT_MS)`);
        if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new Error('effect name must be 1 to 200 characters');
        if (this.effectNames.has(name)) throw new Error(`effect "${name}" used twice for one input; give each a distinct name`);
        this.effectNames.add(name);
        const digest = effectDigest(event.id, name);
        const recorded = overlay.effect(digest);
        if (recorded) {
          this.effectCounts.replayed++;
          logger.debug('effect replayed from its recorded result', { id: event.id, effect: name });
          return recorded.result as T;
        }
        this.effectCounts.run++;
        const result = await fn(effectKey(event.id, name));
        // Recorded as JSON, so the first run returns what a replay will: the same value, not the same object.
        const text = JSON.stringify(result ?? null);
        if (text === undefined || text.length > MAX_EFFECT_RESULT_CHARS) {
          throw new Error(`effect "${name}" returned a result that is not JSON or over ${MAX_EFFECT_RESULT_CHARS} characters; it is not recorded`);
        }
        const value = JSON.parse(text) as T;
        if (!this.ended) this.effects.set(digest, value);
        return value;
      },
    };
  }

  /** A follow-up's PRODUCER span, a child of the handler's span: the follow-up carries its traceparent. */
  private publishSpan(trace: RunTrace, topic: string, id: string, type: string): string {
    const span = trace.tracing.start(`send ${topic}`, {
      parent: trace.handler.traceparent,
      kind: 'producer',
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'cloudevents.event_id': id, 'cloudevents.event_type': type },
    });
    this.publishSpans.push(span);
    return span.traceparent;
  }

  /** The attempt is over: effects finishing after this (a timed-out attempt) are not recorded. */
  end(): void {
    this.ended = true;
  }

  applyTo(overlay: ChunkOverlay, messages: OutboundRecord[]): void {
    this.end();
    messages.push(...this.published);
    for (const [k, v] of this.writes) overlay.state.set(k, v);
    // Processed: the event is now in the dedup window and never runs again, so its effects' results are not
    // needed any more. Nothing is recorded for this attempt, and results earlier failed attempts recorded
    // (for the effects this attempt called) are cleared: memory holds results only of unfinished events.
    for (const name of this.effectNames) {
      const digest = effectDigest(this.eventId, name);
      overlay.effects.delete(digest);
      if (overlay.effect(digest)) overlay.effectsCleared.add(digest);
    }
  }

  /** A failed attempt keeps only its effects' results: its follow-ups and writes are dropped. */
  applyEffectsTo(overlay: ChunkOverlay): void {
    this.end();
    for (const [d, r] of this.effects) overlay.effects.set(d, r);
  }
}
