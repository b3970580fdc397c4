import { randomBytes } from 'node:crypto';

/** Opaque ids in the style of real APIs: a type prefix and 96 random bits. */
export function newId(prefix: 'shp' | 'sub' | 'msg'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

const TRACKING_ALPHABET = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';

/** A UPS-looking tracking number: "1Z" and 16 upper-case letters or digits. */
export function newTrackingNumber(): string {
  return '1Z' + [...randomBytes(16)].map((b) => TRACKING_ALPHABET[b % TRACKING_ALPHABET.length]).join('');
}
