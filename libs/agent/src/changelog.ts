/**
 * The format of what an agent keeps in Kafka beside its outputs, written by a task's transactions and read
 * back when a task is restored: the one place that knows it.
 *
 * - `processed` topic, partition p: `{ t, ids }` (the digests of the event ids one transaction processed,
 *   and when); `{ t, e, r }` (the recorded result `r` of one effect, under its digest `e`: see `effectDigest`);
 *   `{ t, e, x: 1 }` (that result is cleared: its event was processed);
 *   or a restore marker.
 * - `state` topic (compacted), partition p: `s:<key>` → the handler's keyed state as JSON (null: deleted);
 *   `r:<key>` → the key's parked record (see `Parked`; null: free again); or a restore marker.
 */
import type { Message } from 'kafkajs';
import type { Parked } from './stores';

export const MARKER_KEY = '__restore_marker__';
const STATE_PREFIX = 's:';
const PARKED_PREFIX = 'r:';

export type ChangelogEntry =
  | { kind: 'marker'; nonce: string }
  | { kind: 'processed'; atMs: number; ids: string[] }
  | { kind: 'effect'; atMs: number; digest: string; result: unknown }
  | { kind: 'effect-cleared'; digest: string }
  | { kind: 'state'; key: string; value: unknown }
  | { kind: 'parked'; key: string; value: Parked | null }
  /** Not ours, or written by a version that no longer matters: skipped, never fatal. */
  | { kind: 'unknown'; reason: string };

export function markerMessage(partition: number, nonce: string): Message {
  return { partition, key: MARKER_KEY, value: nonce };
}

export function processedMessage(partition: number, atMs: number, ids: Iterable<string>): Message {
  return { partition, key: null, value: JSON.stringify({ t: atMs, ids: [...ids] }) };
}

/** The effect's event was processed: its recorded result is forgotten on restore too. */
export function effectClearedMessage(partition: number, atMs: number, digest: string): Message {
  return { partition, key: null, value: JSON.stringify({ t: atMs, e: digest, x: 1 }) };
}

/** One effect's result per record: a chunk's effects together could exceed a record's size limit. */
export function effectMessage(partition: number, atMs: number, digest: string, result: unknown): Message {
  return { partition, key: null, value: JSON.stringify({ t: atMs, e: digest, r: result ?? null }) };
}

export function stateMessage(partition: number, key: string, value: unknown): Message {
  return { partition, key: STATE_PREFIX + key, value: value === null || value === undefined ? null : JSON.stringify(value) };
}

export function parkedMessage(partition: number, key: string, value: Parked | null): Message {
  return { partition, key: PARKED_PREFIX + key, value: value === null ? null : JSON.stringify({ h: value.head, n: value.queued, s: value.nextSeq, r: value.runSeq }) };
}

function json(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one record of the processed topic. */
export function readProcessed(key: Buffer | null, value: Buffer | null): ChangelogEntry {
  const k = key?.toString();
  if (k === MARKER_KEY) return { kind: 'marker', nonce: value?.toString() ?? '' };
  if (!value) return { kind: 'unknown', reason: 'processed record without a value' };
  const v = json(value);
  if (isObject(v) && typeof v.t === 'number' && typeof v.e === 'string' && v.x === 1) return { kind: 'effect-cleared', digest: v.e };
  if (isObject(v) && typeof v.t === 'number' && typeof v.e === 'string' && 'r' in v) return { kind: 'effect', atMs: v.t, digest: v.e, result: v.r };
  if (!isObject(v) || typeof v.t !== 'number' || !Array.isArray(v.ids) || !v.ids.every((id) => typeof id === 'string')) {
    return { kind: 'unknown', reason: 'processed record is not { t: number, ids: string[] } nor { t: number, e: string, r }' };
  }
  return { kind: 'processed', atMs: v.t, ids: v.ids };
}

/** Reads one record of the state topic. */
export function readState(key: Buffer | null, value: Buffer | null): ChangelogEntry {
  const k = key?.toString();
  if (k === MARKER_KEY) return { kind: 'marker', nonce: value?.toString() ?? '' };
  if (k?.startsWith(STATE_PREFIX)) {
    if (!value) return { kind: 'state', key: k.slice(STATE_PREFIX.length), value: null };
    const v = json(value);
    return v === undefined ? { kind: 'unknown', reason: 'state value is not JSON' } : { kind: 'state', key: k.slice(STATE_PREFIX.length), value: v };
  }
  if (k?.startsWith(PARKED_PREFIX)) {
    const key = k.slice(PARKED_PREFIX.length);
    if (!value) return { kind: 'parked', key, value: null };
    const v = json(value);
    if (!isObject(v) || typeof v.n !== 'number' || typeof v.s !== 'number' || typeof v.r !== 'number' || (v.h !== undefined && typeof v.h !== 'string')) {
      return { kind: 'unknown', reason: 'parked record is not { h?: string, n: number, s: number, r: number }' };
    }
    return { kind: 'parked', key, value: { head: v.h, queued: v.n, nextSeq: v.s, runSeq: v.r } };
  }
  return { kind: 'unknown', reason: `state record with an unknown key` };
}
