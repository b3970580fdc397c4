/**
 * A set of 12-byte id digests (idDigest: 16 base64 characters) kept as 96-bit values in typed arrays, open
 * addressing with linear probing: 13 bytes a slot (three 32-bit words and a used flag), off the V8 heap.
 * A Map of the same digests as strings cost about 76 bytes of heap an id (the string, the entry, the
 * table's slack) and more resident memory; this costs 13 bytes a slot at a load of 3/8 to 3/4.
 *
 * Only digests in idDigest's exact form are kept here (`decodeDigest`); the caller keeps anything else
 * as it is. The digests are SHA-256 output, so their first word is a uniform hash already.
 */
export class DigestSet {
  private words: Int32Array;
  private used: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = 1024) {
    let slots = 16;
    while (slots < initialSlots) slots *= 2;
    this.words = new Int32Array(slots * 3);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the arrays (for tests and capacity notes). */
  get bytes(): number {
    return this.words.byteLength + this.used.byteLength;
  }

  has(d: DecodedDigest): boolean {
    const { words, used, mask } = this;
    for (let i = d[0] & mask; used[i] === 1; i = (i + 1) & mask) {
      const at = i * 3;
      if (words[at] === d[0] && words[at + 1] === d[1] && words[at + 2] === d[2]) return true;
    }
    return false;
  }

  /** Adds the digest; false when it was there already. */
  add(d: DecodedDigest): boolean {
    if ((this.count + 1) * 4 > this.used.length * 3) this.grow();
    const { words, used, mask } = this;
    let i = d[0] & mask;
    for (; used[i] === 1; i = (i + 1) & mask) {
      const at = i * 3;
      if (words[at] === d[0] && words[at + 1] === d[1] && words[at + 2] === d[2]) return false;
    }
    used[i] = 1;
    words[i * 3] = d[0];
    words[i * 3 + 1] = d[1];
    words[i * 3 + 2] = d[2];
    this.count++;
    return true;
  }

  private grow(): void {
    const { words, used } = this;
    const slots = used.length * 2;
    this.words = new Int32Array(slots * 3);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    this.count = 0;
    const d: DecodedDigest = [0, 0, 0];
    for (let i = 0; i < used.length; i++) {
      if (used[i] !== 1) continue;
      d[0] = words[i * 3];
      d[1] = words[i * 3 + 1];
      d[2] = words[i * 3 + 2];
      this.add(d);
    }
  }
}

/** A digest as three 32-bit words. */
export type DecodedDigest = [number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) VALUE[BASE64.charCodeAt(i)] = i;

/**
 * The 96 bits of a 16-character standard base64 text (idDigest's form), into `out`; false for any other
 * text. Sixteen characters of six bits are exactly 96 bits, so distinct texts never share a value.
 */
export function decodeDigest(text: string, out: DecodedDigest): boolean {
  if (text.length !== 16) return false;
  // Four groups of four characters, 24 bits each, packed into three 32-bit words.
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  for (let i = 0; i < 16; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUE[c] : -1;
    if (v < 0) return false;
    if (i < 4) g0 = (g0 << 6) | v;
    else if (i < 8) g1 = (g1 << 6) | v;
    else if (i < 12) g2 = (g2 << 6) | v;
    else g3 = (g3 << 6) | v;
  }
  out[0] = g0 | ((g1 & 0xff) << 24);
  out[1] = (g1 >>> 8) | ((g2 & 0xffff) << 16);
  out[2] = (g2 >>> 16) | (g3 << 8);
  return true;
}
