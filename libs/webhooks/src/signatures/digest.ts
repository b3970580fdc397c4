import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { HmacAlgorithm, SignatureEncoding } from './types';

export const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha256: 32, sha512: 64 };

/**
 * One KeyObject per secret, made on first use: createHmac with a raw Buffer key builds a new key object on
 * every call, which cost more than hashing a 1 KiB body. Secrets are read once at start-up and never change.
 */
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObject(key: Buffer): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createSecretKey(key)));
  return k;
}

export function hmac(algorithm: HmacAlgorithm, key: Buffer, content: Buffer): Buffer {
  return createHmac(algorithm, keyObject(key)).update(content).digest();
}

export function encodeDigest(digest: Buffer, encoding: SignatureEncoding): string {
  return digest.toString(encoding);
}

const HEX_PATTERN = /^[0-9a-fA-F]+$/;

/**
 * Decodes a received signature, or undefined if it is not exactly one digest
 * in the expected encoding. Node's decoders are lenient (they stop at the first
 * bad character and ignore padding), so shape is checked before decoding and,
 * for base64, by re-encoding: only the one canonical text is accepted.
 */
export function decodeDigest(
  text: string,
  encoding: SignatureEncoding,
  byteLength: number,
): Buffer | undefined {
  if (encoding === 'hex') {
    if (text.length !== byteLength * 2 || !HEX_PATTERN.test(text)) return undefined;
    return Buffer.from(text, 'hex');
  }
  if (text.length !== Math.ceil(byteLength / 3) * 4) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === byteLength && bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * True if any received digest equals any expected one (one expected digest per
 * configured secret). Every pair is compared, with no early exit, so response
 * time does not reveal which secret or which entry matched.
 */
export function matchesAny(received: readonly Buffer[], expected: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of received) {
    for (const digest of expected) {
      // timingSafeEqual throws on unequal lengths; decodeDigest makes them equal, this keeps it so.
      const equal = candidate.length === digest.length && timingSafeEqual(candidate, digest);
      matched = equal || matched;
    }
  }
  return matched;
}

/** One expected digest per secret, over the same signed content. */
export function expectedDigests(
  algorithm: HmacAlgorithm,
  keys: readonly Buffer[],
  content: Buffer,
): Buffer[] {
  return keys.map((key) => hmac(algorithm, key, content));
}
