import { createHash } from 'node:crypto';
import { CarrierError } from '../errors';

/** A response as first sent, replayed verbatim for a repeated request. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export type Lookup = { kind: 'miss' } | { kind: 'replay'; response: StoredResponse } | { kind: 'conflict' };

interface Entry {
  fingerprint: string;
  response: StoredResponse;
}

const KEY_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/** Rejects a missing or unusable key (required is false for endpoints where the key is optional). */
export function checkKey(key: string | undefined, required: boolean): string | undefined {
  if (key === undefined || key === '') {
    if (required) throw new CarrierError('IDEMPOTENCY_KEY_REQUIRED');
    return undefined;
  }
  if (!KEY_PATTERN.test(key)) throw new CarrierError('IDEMPOTENCY_KEY_INVALID');
  return key;
}

/** SHA-256 of the body with object keys sorted: the same JSON in another key order or spacing matches. */
export function fingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency records in memory, per endpoint scope. Bounded: past maxEntries the oldest record is
 * evicted, so a very old key may run again; that is the limit every provider has (Stripe keeps 24 h).
 * Only successful responses are recorded, so a request refused for bad input can be corrected and retried.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(scope: string, key: string, print: string): Lookup {
    const entry = this.entries.get(`${scope}\n${key}`);
    if (!entry) return { kind: 'miss' };
    return entry.fingerprint === print ? { kind: 'replay', response: entry.response } : { kind: 'conflict' };
  }

  save(scope: string, key: string, print: string, response: StoredResponse): void {
    this.entries.set(`${scope}\n${key}`, { fingerprint: print, response });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
