import { createHash } from 'node:crypto';
import { BillingError } from '../errors';

/** A response as first sent, replayed verbatim for a repeated request. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

const KEY_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export function checkKey(key: string | undefined): string {
  if (key === undefined || key === '') throw new BillingError('IDEMPOTENCY_KEY_REQUIRED');
  if (!KEY_PATTERN.test(key)) throw new BillingError('IDEMPOTENCY_KEY_INVALID');
  return key;
}

/** SHA-256 of the body with object keys sorted: the same JSON in another key order or spacing matches. */
export function fingerprint(body: unknown): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      return `{${Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
        .join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return createHash('sha256').update(canonical(body)).digest('hex');
}

/**
 * Stripe's rule: the first successful response to a key is kept and replayed for the same key with the
 * same parameters; the same key with other parameters is refused (409). Errors are not kept, so a
 * refused request can be corrected. Kept for 24 hours (Stripe's window), in memory.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, { print: string; response: StoredResponse; atMs: number }>();

  constructor(private readonly ttlMs = 24 * 60 * 60 * 1000) {}

  run(key: string, body: unknown, nowMs: number, create: () => StoredResponse): StoredResponse & { replayed: boolean } {
    const print = fingerprint(body);
    const found = this.entries.get(key);
    if (found && nowMs - found.atMs < this.ttlMs) {
      if (found.print !== print) throw new BillingError('IDEMPOTENCY_KEY_REUSED');
      return { ...found.response, replayed: true };
    }
    const response = create();
    this.entries.set(key, { print, response, atMs: nowMs });
    return { ...response, replayed: false };
  }
}
