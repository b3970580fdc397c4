import { decodeDigest, DIGEST_BYTES, encodeDigest, expectedDigests, hmac, matchesAny } from './digest';
import { readHeader, readSignatureHeader } from './headers';
import { checkFreshness, readTimestampHeader, unixSecondsText } from './timestamp';
import type { Parsed, VerifyInput, VerifyResult } from './types';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/): `webhook-signature` is a
 * space-separated list of `<version>,<base64>`; each v1 is HMAC-SHA256 of
 * `${webhook-id}.${webhook-timestamp}.` + raw body, keyed with the base64-decoded secret.
 */
export const SW_ID_HEADER = 'webhook-id';
export const SW_TIMESTAMP_HEADER = 'webhook-timestamp';
export const SW_SIGNATURE_HEADER = 'webhook-signature';

export function verifyStandardWebhook(
  toleranceSeconds: number,
  keys: readonly Buffer[],
  input: VerifyInput,
): VerifyResult {
  const signatures = readSignatures(input);
  if (!signatures.ok) return signatures;
  // The id is part of the signed content, so without it nothing can be checked.
  const id = readHeader(input.headers, SW_ID_HEADER, 'malformed_signature', 'malformed_signature');
  if (!id.ok) return id;
  const timestamp = readTimestampHeader(input.headers, SW_TIMESTAMP_HEADER);
  if (!timestamp.ok) return timestamp;
  const stale = checkFreshness(timestamp.value.seconds, input.nowMs, toleranceSeconds);
  if (stale) return { ok: false, reason: stale };
  const content = signedContent(id.value, timestamp.value.text, input.rawBody);
  if (!matchesAny(signatures.value, expectedDigests('sha256', keys, content))) {
    return { ok: false, reason: 'signature_mismatch' };
  }
  return { ok: true, timestamp: timestamp.value.seconds };
}

/** Other versions (e.g. v1a, asymmetric) are skipped so senders can add them; at least one v1 is required. */
function readSignatures(input: VerifyInput): Parsed<Buffer[]> {
  const header = readSignatureHeader(input.headers, SW_SIGNATURE_HEADER);
  if (!header.ok) return header;
  const v1: Buffer[] = [];
  for (const entry of header.value.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma <= 0) return { ok: false, reason: 'malformed_signature' };
    if (entry.slice(0, comma) !== 'v1') continue;
    const digest = decodeDigest(entry.slice(comma + 1), 'base64', DIGEST_BYTES.sha256);
    if (!digest) return { ok: false, reason: 'malformed_signature' };
    v1.push(digest);
  }
  return v1.length > 0 ? { ok: true, value: v1 } : { ok: false, reason: 'malformed_signature' };
}

function signedContent(id: string, timestampText: string, rawBody: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestampText}.`, 'utf8'), rawBody]);
}

const SECRET_PREFIX = 'whsec_';
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a Standard Webhooks secret: base64 after an optional 'whsec_' prefix. */
export function decodeStandardWebhooksSecret(secret: string): Buffer | undefined {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length > 0 ? key : undefined;
}

export function signStandardWebhook(key: Buffer, rawBody: Buffer, nowMs: number, id: string): Record<string, string> {
  const timestampText = unixSecondsText(nowMs);
  const digest = hmac('sha256', key, signedContent(id, timestampText, rawBody));
  return {
    [SW_ID_HEADER]: id,
    [SW_TIMESTAMP_HEADER]: timestampText,
    [SW_SIGNATURE_HEADER]: `v1,${encodeDigest(digest, 'base64')}`,
  };
}
