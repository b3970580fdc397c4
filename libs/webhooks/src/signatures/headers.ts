import type { Headers, Parsed, VerifyFailure } from './types';

/**
 * Real signature headers are well under 1 KB. Anything longer is an attack or a
 * bug; refusing it up front keeps the cost of parsing hostile input bounded.
 */
export const MAX_HEADER_LENGTH = 4096;

/**
 * Reads one header as a single string. Every header is hostile: a repeated
 * header (string[]) is refused rather than "first wins", because proxies and
 * frameworks disagree on which copy wins and that disagreement is exploitable.
 */
export function readHeader(
  headers: Headers,
  name: string,
  absent: VerifyFailure,
  invalid: VerifyFailure,
): Parsed<string> {
  const key = name.toLowerCase();
  // hasOwn: a header named e.g. 'constructor' must not resolve to Object.prototype.
  const value: unknown = Object.hasOwn(headers, key) ? headers[key] : undefined;
  if (value === undefined || value === null || value === '') return { ok: false, reason: absent };
  if (typeof value !== 'string' || value.length > MAX_HEADER_LENGTH) {
    return { ok: false, reason: invalid };
  }
  return { ok: true, value };
}

/** The usual reading of a signature header. */
export function readSignatureHeader(headers: Headers, name: string): Parsed<string> {
  return readHeader(headers, name, 'missing_signature', 'malformed_signature');
}
