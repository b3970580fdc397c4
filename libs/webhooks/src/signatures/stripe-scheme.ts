import { decodeDigest, DIGEST_BYTES, encodeDigest, expectedDigests, hmac, matchesAny } from './digest';
import { readSignatureHeader } from './headers';
import { checkFreshness, parseTimestamp, unixSecondsText } from './timestamp';
import type { Parsed, VerifyInput, VerifyResult } from './types';

/**
 * Stripe: `stripe-signature: t=<ts>,v1=<hex>[,v1=<hex>...][,v0=...]`, each v1 an
 * HMAC-SHA256 of `${t}.` + raw body keyed with the endpoint secret's UTF-8 bytes
 * (the 'whsec_' prefix included). Several v1 entries appear while Stripe rolls a secret.
 * https://docs.stripe.com/webhooks#verify-manually
 */
export const STRIPE_HEADER = 'stripe-signature';

interface StripeSignature {
  timestampText: string | undefined;
  v1: Buffer[];
}

export function verifyStripe(toleranceSeconds: number, keys: readonly Buffer[], input: VerifyInput): VerifyResult {
  const header = readSignatureHeader(input.headers, STRIPE_HEADER);
  if (!header.ok) return header;
  const parsed = parseStripeHeader(header.value);
  if (!parsed.ok) return parsed;
  if (parsed.value.v1.length === 0) return { ok: false, reason: 'malformed_signature' };
  if (parsed.value.timestampText === undefined) return { ok: false, reason: 'missing_timestamp' };
  const timestamp = parseTimestamp(parsed.value.timestampText);
  if (!timestamp.ok) return timestamp;
  const stale = checkFreshness(timestamp.value.seconds, input.nowMs, toleranceSeconds);
  if (stale) return { ok: false, reason: stale };
  const content = signedPayload(timestamp.value.text, input.rawBody);
  if (!matchesAny(parsed.value.v1, expectedDigests('sha256', keys, content))) {
    return { ok: false, reason: 'signature_mismatch' };
  }
  return { ok: true, timestamp: timestamp.value.seconds };
}

/**
 * Strict parse: every item must be key=value, t at most once, every v1 a full
 * hex digest. v0 (test-mode legacy) and unknown keys are ignored, as Stripe asks.
 */
function parseStripeHeader(value: string): Parsed<StripeSignature> {
  const result: StripeSignature = { timestampText: undefined, v1: [] };
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed_signature' };
    const key = item.slice(0, eq);
    const text = item.slice(eq + 1);
    if (key === 't') {
      // Two timestamps would let a proxy and this code disagree on which was signed.
      if (result.timestampText !== undefined) return { ok: false, reason: 'malformed_signature' };
      result.timestampText = text;
    } else if (key === 'v1') {
      const digest = decodeDigest(text, 'hex', DIGEST_BYTES.sha256);
      if (!digest) return { ok: false, reason: 'malformed_signature' };
      result.v1.push(digest);
    }
  }
  return { ok: true, value: result };
}

function signedPayload(timestampText: string, rawBody: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestampText}.`, 'utf8'), rawBody]);
}

export function signStripe(key: Buffer, rawBody: Buffer, nowMs: number): Record<string, string> {
  const timestampText = unixSecondsText(nowMs);
  const digest = hmac('sha256', key, signedPayload(timestampText, rawBody));
  return { [STRIPE_HEADER]: `t=${timestampText},v1=${encodeDigest(digest, 'hex')}` };
}
