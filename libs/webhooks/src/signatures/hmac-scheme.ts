import { decodeDigest, DIGEST_BYTES, encodeDigest, expectedDigests, hmac, matchesAny } from './digest';
import { readSignatureHeader } from './headers';
import { compileTemplate, renderTemplate, type SignedTemplate } from './template';
import { checkFreshness, readTimestampHeader, resolveTolerance, unixSecondsText } from './timestamp';
import type { HmacSchemeConfig, Parsed, VerifyInput, VerifyResult } from './types';

/** An HmacSchemeConfig checked and normalised once, so verify() does no config work. */
export interface HmacScheme {
  header: string;
  algorithm: HmacSchemeConfig['algorithm'];
  encoding: HmacSchemeConfig['encoding'];
  prefix: string;
  timestampHeader: string | undefined;
  toleranceSeconds: number;
  template: SignedTemplate;
}

/** Throws on a config that cannot work; config may come from YAML, so types are not trusted. */
export function compileHmacScheme(config: HmacSchemeConfig): HmacScheme {
  assertHmacConfig(config);
  const template = compileTemplate(config.signedContent ?? '{body}');
  const timestampHeader = config.timestampHeader?.toLowerCase();
  // Both ways round: {timestamp} needs a source, and an unsigned timestamp header
  // gives no replay protection because anyone can rewrite it.
  if (template.usesTimestamp !== (timestampHeader !== undefined)) {
    throw new Error('hmac scheme: signedContent must use {timestamp} exactly when timestampHeader is set');
  }
  return {
    header: config.header.toLowerCase(),
    algorithm: config.algorithm,
    encoding: config.encoding,
    prefix: config.prefix ?? '',
    timestampHeader,
    toleranceSeconds: resolveTolerance(config.toleranceSeconds),
    template,
  };
}

function assertHmacConfig(config: HmacSchemeConfig): void {
  const fields: Record<string, unknown> = { ...config };
  const bad = (message: string): never => {
    throw new Error(`hmac scheme: ${message}`);
  };
  if (typeof fields.header !== 'string' || fields.header === '') bad('header must be a non-empty string');
  if (!Object.hasOwn(DIGEST_BYTES, String(fields.algorithm))) bad('algorithm must be sha256 or sha512');
  if (fields.encoding !== 'hex' && fields.encoding !== 'base64') bad('encoding must be hex or base64');
  if (fields.prefix !== undefined && typeof fields.prefix !== 'string') bad('prefix must be a string');
  const ts = fields.timestampHeader;
  if (ts !== undefined && (typeof ts !== 'string' || ts === '')) bad('timestampHeader must be a non-empty string');
  const template = fields.signedContent;
  if (template !== undefined && typeof template !== 'string') bad('signedContent must be a string');
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
