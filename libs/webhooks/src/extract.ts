import { createHash } from 'node:crypto';
import type { Headers } from './signatures';
import type { Source } from './provider-config';

/** An id or type we are willing to carry: short, printable, no control characters. */
const SAFE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v.trim() : undefined; // a duplicated header (string[]) is not believed
}

function bodyPath(body: unknown, path: string): string | undefined {
  let cur: unknown = body;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  // A number only as a safe integer: beyond 2^53 JSON.parse rounds, so two different ids would become one
  // event id and agents, which deduplicate by id, would drop the second.
  return typeof cur === 'string' ? cur : typeof cur === 'number' && Number.isSafeInteger(cur) ? String(cur) : undefined;
}

/** The first safe value the source yields, or undefined. */
export function extract(source: Source | undefined, headers: Headers, body: unknown): string | undefined {
  if (!source) return undefined;
  const candidates = 'header' in source ? source.header.map((h) => headerValue(headers, h)) : source.body.map((p) => bodyPath(body, p));
  return candidates.find((c): c is string => c !== undefined && SAFE.test(c));
}

/** A value from the body (e.g. an entity id) as a record header, or undefined when it is not SAFE. */
export function safeText(v: string | undefined): string | undefined {
  return v !== undefined && SAFE.test(v) ? v : undefined;
}

/** The event id when the provider sends none: stable across retries of the same bytes. */
export function contentId(provider: string, rawBody: Buffer): string {
  return createHash('sha256').update(provider).update('\n').update(rawBody).digest('hex');
}

export function matchEvent<T extends { pattern: string }>(mappings: T[], type: string): T | undefined {
  return (
    mappings.find((m) => m.pattern === type) ??
    mappings
      .filter((m) => m.pattern.endsWith('*') && type.startsWith(m.pattern.slice(0, -1)))
      .sort((a, b) => b.pattern.length - a.pattern.length)[0]
  );
}

const SENSITIVE = /signature|secret|token|authorization|cookie|api[-_]?key|hmac/i;

/** Headers safe to keep with a quarantined event: no signatures, credentials or cookies. */
export function keptHeaders(headers: Headers, signatureHeaders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || signatureHeaders.includes(k) || SENSITIVE.test(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
