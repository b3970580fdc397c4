import { eventTime, type DeadLetterInfo, type EventRecord } from './event-records';

/**
 * Causal trees from records: an event is a CloudEvent id; its records are every copy of it that was read
 * (the record on its topic, a provider's duplicate, a dead-lettered copy); its children are the events
 * whose ce_causationid is its id. Pure, so the tree is checked by unit tests.
 */
export interface TraceRecord {
  topic: string;
  partition: number;
  offset: string;
  time: string;
  deadLetter?: DeadLetterInfo;
}

export interface TraceNode {
  id: string;
  type?: string;
  source?: string;
  subject?: string;
  key?: string;
  deliveryId?: string;
  causationId?: string;
  /** ce_time of the event's first record (its record timestamp when it has none). */
  time: string;
  /** Milliseconds from its cause's time to its own; undefined for a root. */
  delayMs?: number;
  preview: string;
  /** The event's records, its own topic's first, then copies (duplicates, dead letters). */
  records: TraceRecord[];
  children: TraceNode[];
}

export interface Trace {
  query: string;
  roots: TraceNode[];
  events: number;
  records: number;
}

/** The fields trace keeps of a record (the data is not needed, only its preview). */
export type TraceInput = Pick<EventRecord, 'topic' | 'partition' | 'offset' | 'timestamp' | 'time' | 'id' | 'type' | 'source' | 'subject' | 'key' | 'causationId' | 'deliveryId' | 'preview' | 'deadLetter'>;

const byPlace = (a: TraceInput, b: TraceInput) =>
  (a.deadLetter ? 1 : 0) - (b.deadLetter ? 1 : 0) || eventTime(a).localeCompare(eventTime(b)) || a.topic.localeCompare(b.topic) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));

/** Indexes records once; `trace(query)` then answers from memory. */
export class TraceIndex {
  private readonly byId = new Map<string, TraceInput[]>();
  private readonly byCause = new Map<string, Set<string>>();
  private readonly byDelivery = new Map<string, Set<string>>();
  private count = 0;

  add(rec: TraceInput): void {
    if (rec.id === undefined || rec.id === '') return;
    this.count++;
    const list = this.byId.get(rec.id);
    if (list) list.push(rec);
    else this.byId.set(rec.id, [rec]);
    if (rec.causationId) add(this.byCause, rec.causationId, rec.id);
    if (rec.deliveryId) add(this.byDelivery, rec.deliveryId, rec.id);
  }

  get size(): number {
    return this.count;
  }

  trace(query: string): Trace {
    const rootIds = new Set<string>();
    if (this.byId.has(query)) rootIds.add(query);
    for (const id of this.byDelivery.get(query) ?? []) rootIds.add(id);
    const seen = new Set<string>();
    const trace: Trace = { query, roots: [], events: 0, records: 0 };
    const build = (id: string, cause?: TraceNode): TraceNode => {
      seen.add(id);
      const recs = [...(this.byId.get(id) ?? [])].sort(byPlace);
      const first = recs[0];
      const node: TraceNode = {
        id,
        type: first.type,
        source: first.source,
        subject: first.subject,
        key: first.key,
        deliveryId: first.deliveryId,
        causationId: first.causationId,
        time: eventTime(first),
        preview: first.preview,
        records: recs.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          time: r.deadLetter?.time ?? eventTime(r),
          ...(r.deadLetter ? { deadLetter: r.deadLetter } : {}),
        })),
        children: [],
      };
      if (cause) node.delayMs = delay(cause.time, node.time);
      trace.events++;
      trace.records += recs.length;
      const childIds = [...(this.byCause.get(id) ?? [])].filter((c) => !seen.has(c));
      for (const c of childIds) seen.add(c);
      node.children = childIds.map((c) => build(c, node)).sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
      return node;
    };
    // Roots in time order; a root already reached as another root's descendant is not repeated.
    const roots = [...rootIds].sort((a, b) => eventTime((this.byId.get(a) ?? [])[0]).localeCompare(eventTime((this.byId.get(b) ?? [])[0])));
    for (const id of roots) if (!seen.has(id)) trace.roots.push(build(id));
    return trace;
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function delay(from: string, to: string): number | undefined {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : b - a;
}

export function buildTrace(records: Iterable<TraceInput>, query: string): Trace {
  const index = new TraceIndex();
  for (const r of records) index.add(r);
  return index.trace(query);
}
