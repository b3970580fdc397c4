import { signRequest } from '@app/webhooks';
import type { ProviderSpec } from './providers';

export const STALE_MS = 10 * 60 * 1000;

/** The provider's signature headers over body; deliveryId is the Standard Webhooks webhook-id (ignored by others). */
export function signatureHeaders(spec: ProviderSpec, secret: string, body: Buffer, nowMs: number, deliveryId: string): Record<string, string> {
  return signRequest(spec.scheme, secret, body, nowMs, { id: deliveryId });
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The same headers with the first digest character changed to another character of its alphabet: still
 * well-formed (the ingress answers signature mismatch, not malformed), but no longer matching. The first
 * base64 character only carries bits of the first byte, so the result is still canonical base64.
 */
export function corruptSignature(spec: ProviderSpec, headers: Record<string, string>): Record<string, string> {
  const value = headers[spec.signatureHeader];
  const at = value.indexOf(spec.digestMarker);
  if (at < 0) throw new Error(`signature header ${spec.signatureHeader} has no "${spec.digestMarker}"`);
  const i = at + spec.digestMarker.length;
  const c = value[i];
  const flipped = spec.encoding === 'hex' ? (parseInt(c, 16) ^ 1).toString(16) : BASE64[BASE64.indexOf(c) ^ 1];
  return { ...headers, [spec.signatureHeader]: value.slice(0, i) + flipped + value.slice(i + 1) };
}
