import { decodeDigest, DIGEST_BYTES, encodeDigest, expectedDigests, hmac, matchesAny } from './digest';
import { readSignatureHeader } from './headers';
import { checkHmacScheme, type CheckedHmacScheme } from './scheme-config';
import { renderTemplate } from './template';
import { checkFreshness, readTimestampHeader, unixSecondsText } from './timestamp';
import type { HmacSchemeConfig, Parsed, VerifyInput, VerifyResult } from './types';

/** An HmacSchemeConfig checked and normalised once (scheme-config.ts holds the rules). */
export type HmacScheme = CheckedHmacScheme;

export function compileHmacScheme(config: HmacSchemeConfig): HmacScheme {
  return checkHmacScheme(config);
}

export function verifyHmac(scheme: HmacScheme, keys: readonly Buffer[], input: VerifyInput): VerifyResult {
  const signature = readSignature(scheme, input);
  if (!signature.ok) return signature;
  let timestampText = '';
  let timestamp: number | undefined;
  if (scheme.timestampHeader !== undefined) {
    const parsed = readTimestampHeader(input.headers, scheme.timestampHeader);
    if (!parsed.ok) return parsed;
    const stale = checkFreshness(parsed.value.seconds, input.nowMs, scheme.toleranceSeconds);
    if (stale) return { ok: false, reason: stale };
    timestampText = parsed.value.text;
    timestamp = parsed.value.seconds;
  }
  const content = renderTemplate(scheme.template, timestampText, input.rawBody);
  if (!matchesAny([signature.value], expectedDigests(scheme.algorithm, keys, content))) {
    return { ok: false, reason: 'signature_mismatch' };
  }
  return timestamp === undefined ? { ok: true } : { ok: true, timestamp };
}

function readSignature(scheme: HmacScheme, input: VerifyInput): Parsed<Buffer> {
  const header = readSignatureHeader(input.headers, scheme.header);
  if (!header.ok) return header;
  if (!header.value.startsWith(scheme.prefix)) return { ok: false, reason: 'malformed_signature' };
  const encoded = header.value.slice(scheme.prefix.length);
  const digest = decodeDigest(encoded, scheme.encoding, DIGEST_BYTES[scheme.algorithm]);
  return digest ? { ok: true, value: digest } : { ok: false, reason: 'malformed_signature' };
}

export function signHmac(scheme: HmacScheme, key: Buffer, rawBody: Buffer, nowMs: number): Record<string, string> {
  const timestampText = unixSecondsText(nowMs);
  const content = renderTemplate(scheme.template, timestampText, rawBody);
  const signature = scheme.prefix + encodeDigest(hmac(scheme.algorithm, key, content), scheme.encoding);
  const headers: Record<string, string> = { [scheme.header]: signature };
  if (scheme.timestampHeader !== undefined) headers[scheme.timestampHeader] = timestampText;
  return headers;
}
