import { readHeader } from './headers';
import type { Headers, Parsed, VerifyFailure } from './types';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Plain ASCII digits only: no sign, decimals, exponent or whitespace, which
 * Number()/parseInt() would otherwise quietly accept. 12 digits keeps the value
 * a safe integer and covers dates far beyond any real clock.
 */
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;

/** A timestamp as sent (the exact text is what the provider signed) and its value. */
export interface Timestamp {
  text: string;
  seconds: number;
}

export function parseTimestamp(text: string): Parsed<Timestamp> {
  if (!TIMESTAMP_PATTERN.test(text)) return { ok: false, reason: 'malformed_timestamp' };
  return { ok: true, value: { text, seconds: Number(text) } };
}

export function readTimestampHeader(headers: Headers, name: string): Parsed<Timestamp> {
  const header = readHeader(headers, name, 'missing_timestamp', 'malformed_timestamp');
  return header.ok ? parseTimestamp(header.value) : header;
}

/** Rejects replays (too old) and pre-signed requests (too far in the future). */
export function checkFreshness(
  seconds: number,
  nowMs: number,
  toleranceSeconds: number,
): VerifyFailure | undefined {
  const nowSeconds = Math.floor(nowMs / 1000);
  // Stale is the else branch so that a NaN clock (every comparison false) fails closed.
  return Math.abs(nowSeconds - seconds) <= toleranceSeconds ? undefined : 'stale_timestamp';
}

/** The timestamp text a signer puts on the wire for nowMs. */
export function unixSecondsText(nowMs: number): string {
  if (!Number.isFinite(nowMs) || nowMs < 0) {
    throw new Error(`nowMs must be a non-negative finite number, got ${String(nowMs)}`);
  }
  return String(Math.floor(nowMs / 1000));
}

