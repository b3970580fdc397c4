import { decodeDigest, DigestSet, type DecodedDigest } from './digest-set';

/**
 * In-memory views of one task's (input partition's) processed ids and keyed state, restored from the
 * agent's `processed` and `state` topics and advanced only after a transaction commits.
 */
export class DedupStore {
  /**
   * Digests in idDigest's form, in generations of `generationMinutes` each (ascending): a generation is
   * dropped whole once all of its minutes are out of the window. So an id is remembered for the window
   * and at most a sixteenth of it longer, never shorter, at 13 bytes a slot (DigestSet).
   */
  private generations: { generation: number; set: DigestSet }[] = [];
  private readonly generationMinutes: number;
  /** Any other text (never from this runtime's idDigest), kept as before: text -> minute, in insertion order. */
  private readonly other = new Map<string, number>();
  private readonly decoded: DecodedDigest = [0, 0, 0];

  constructor(private readonly windowMs: number) {
    this.generationMinutes = Math.max(1, Math.ceil(windowMs / 60_000 / 16));
  }

  /** Ids remembered (an id added again in a later generation counts in each). */
  get size(): number {
    let n = this.other.size;
    for (const g of this.generations) n += g.set.size;
    return n;
  }

  has(digest: string): boolean {
    if (!decodeDigest(digest, this.decoded)) return this.other.has(digest);
    for (let i = this.generations.length - 1; i >= 0; i--) if (this.generations[i].set.has(this.decoded)) return true;
    return false;
  }

  add(digest: string, atMs: number): void {
    const minute = Math.floor(atMs / 60_000);
    if (!decodeDigest(digest, this.decoded)) {
      this.other.set(digest, minute);
      return;
    }
    // Kept in the generation of its latest time, so it stays as long as that time says.
    this.generationOf(Math.floor(minute / this.generationMinutes)).add(this.decoded);
  }

  private generationOf(generation: number): DigestSet {
    const gens = this.generations;
    const last = gens[gens.length - 1];
    if (last && last.generation === generation) return last.set;
    let i = gens.length;
    while (i > 0 && gens[i - 1].generation > generation) i--;
    if (i > 0 && gens[i - 1].generation === generation) return gens[i - 1].set;
    const set = new DigestSet();
    gens.splice(i, 0, { generation, set });
    return set;
  }

  /** Forgets ids older than the window: whole generations, and the other texts up to the first one inside it. */
  prune(nowMs: number): number {
    const oldest = Math.floor((nowMs - this.windowMs) / 60_000);
    let removed = 0;
    while (this.generations.length > 0 && (this.generations[0].generation + 1) * this.generationMinutes - 1 < oldest) {
      removed += this.generations[0].set.size;
      this.generations.shift();
    }
    for (const [digest, minute] of this.other) {
      if (minute >= oldest) break;
      this.other.delete(digest);
      removed++;
    }
    return removed;
  }

  isExpired(atMs: number, nowMs: number): boolean {
    return atMs < nowMs - this.windowMs;
  }
}

/**
 * Recorded effect results (see AgentContext.effect), by effect digest, kept as long as processed ids: an
 * effect recorded inside the dedup window never runs again.
 */
export class EffectStore {
  private readonly results = new Map<string, { r: unknown; m: number }>();

  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.results.size;
  }

  has(digest: string): boolean {
    return this.results.has(digest);
  }

  get(digest: string): unknown {
    return this.results.get(digest)?.r;
  }

  add(digest: string, result: unknown, atMs: number): void {
    // Re-inserted at the end: prune relies on insertion order being time order.
    this.results.delete(digest);
    this.results.set(digest, { r: result, m: Math.floor(atMs / 60_000) });
  }

  /** The event was processed: its effect's result is not needed any more. */
  delete(digest: string): void {
    this.results.delete(digest);
  }

  prune(nowMs: number): number {
    const oldest = Math.floor((nowMs - this.windowMs) / 60_000);
    let removed = 0;
    for (const [digest, { m }] of this.results) {
      if (m >= oldest) break;
      this.results.delete(digest);
      removed++;
    }
    return removed;
  }
}

/** Seconds since 2024 fit V8's small integers (no heap number per entry) until 2058. */
const STATE_EPOCH_MS = Date.UTC(2024, 0, 1);
const stateSecond = (ms: number) => Math.floor((ms - STATE_EPOCH_MS) / 1000);

export class StateStore {
  /** key -> value and the second it was last written; Map order is last-write order (a write re-inserts). */
  private readonly values = new Map<string, { v: unknown; s: number }>();

  get(key: string): unknown {
    return this.values.get(key)?.v;
  }

  set(key: string, value: unknown, atMs: number): void {
    this.values.delete(key);
    if (value !== null && value !== undefined) this.values.set(key, { v: value, s: stateSecond(atMs) });
  }

  /** Up to `limit` keys last written before nowMs - ttlMs, oldest first. Cheap: stops at the first fresh key. */
  expired(nowMs: number, ttlMs: number, limit: number): string[] {
    const cutoff = stateSecond(nowMs - ttlMs);
    const out: string[] = [];
    for (const [key, { s }] of this.values) {
      if (s >= cutoff || out.length >= limit) break;
      out.push(key);
    }
    return out;
  }

  get size(): number {
    return this.values.size;
  }
}

/**
 * A key whose records wait on the retry topic: `head` is the event id of the record that failed and waits
 * for its next attempt (none while only records queued behind it remain), `queued` the number of the
 * key's records on the retry topic not read back yet. New records of a parked key join the queue, so a
 * key keeps its order through retries, crashes and rebalances (this lives in the state topic).
 */
export interface Parked {
  head?: string;
  queued: number;
  /** The place the next record queued behind the key gets. */
  nextSeq: number;
  /** The place whose record runs next once the head is done. */
  runSeq: number;
}

export class ParkedStore {
  private readonly keys = new Map<string, Parked>();

  get(key: string): Parked | undefined {
    return this.keys.get(key);
  }

  set(key: string, value: Parked | null): void {
    if (value === null || (value.head === undefined && value.queued <= 0)) this.keys.delete(key);
    else this.keys.set(key, value);
  }

  get size(): number {
    return this.keys.size;
  }
}

/**
 * What a chunk of records has done so far, before its transaction commits: later records in the same
 * chunk see earlier writes and ids; on abort it is simply dropped.
 */
export class ChunkOverlay {
  readonly ids = new Set<string>();
  readonly state = new Map<string, unknown>();
  /** Parked-key changes; null: the key is free again. */
  readonly parked = new Map<string, Parked | null>();
  /** Effect results recorded by this chunk, by effect digest. */
  readonly effects = new Map<string, unknown>();
  /** Recorded effect results whose event this chunk processed: forgotten at commit. */
  readonly effectsCleared = new Set<string>();

  constructor(
    private readonly dedup: DedupStore,
    private readonly store: StateStore,
    private readonly parkedStore: ParkedStore = new ParkedStore(),
    private readonly effectStore?: EffectStore,
  ) {}

  /** The effect's recorded result, if it was recorded (in this chunk or a committed one). */
  effect(digest: string): { result: unknown } | undefined {
    if (this.effects.has(digest)) return { result: this.effects.get(digest) };
    if (this.effectsCleared.has(digest)) return undefined;
    if (this.effectStore?.has(digest)) return { result: this.effectStore.get(digest) };
    return undefined;
  }

  parkedKey(key: string): Parked | undefined {
    if (this.parked.has(key)) return this.parked.get(key) ?? undefined;
    return this.parkedStore.get(key);
  }

  park(key: string, value: Parked): void {
    this.parked.set(key, value.head === undefined && value.queued <= 0 ? null : value);
  }

  seen(digest: string): boolean {
    return this.ids.has(digest) || this.dedup.has(digest);
  }

  get(key: string): unknown {
    return this.state.has(key) ? this.state.get(key) : this.store.get(key);
  }

  /** Applies the chunk to the stores: call only after the transaction committed. */
  commit(atMs: number): void {
    for (const d of this.ids) this.dedup.add(d, atMs);
    for (const [k, v] of this.state) this.store.set(k, v, atMs);
    for (const [k, v] of this.parked) this.parkedStore.set(k, v);
    for (const [d, r] of this.effects) this.effectStore?.add(d, r, atMs);
    for (const d of this.effectsCleared) this.effectStore?.delete(d);
  }
}
