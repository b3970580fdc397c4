import { contractFor, physicalTopic, validateAs } from '@app/contracts';
import { childTraceparent, type CloudEvent, type JsonLogger, type Span, toKafkaMessage, type Tracing } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import { followUpId } from './ids';
import type { ChunkOverlay } from './stores';
import type { AgentContext, PublishOptions } from './types';

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
  readonly context: AgentContext;

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

  applyTo(overlay: ChunkOverlay, messages: OutboundRecord[]): void {
    messages.push(...this.published);
    for (const [k, v] of this.writes) overlay.state.set(k, v);
  }
}
