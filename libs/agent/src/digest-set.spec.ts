import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeDigest, DigestSet, type DecodedDigest } from './digest-set';
import { idDigest } from './ids';
import { DedupStore } from './stores';

/** The three words decodeDigest should give: the 12 bytes as four 24-bit groups, packed little end first. */
function expectedWords(text: string): DecodedDigest {
  const b = Buffer.from(text, 'base64');
  const g = [0, 3, 6, 9].map((i) => (b[i] << 16) | (b[i + 1] << 8) | b[i + 2]);
  return [g[0] | ((g[1] & 0xff) << 24), (g[1] >>> 8) | ((g[2] & 0xffff) << 16), (g[2] >>> 16) | (g[3] << 8)];
}

const digestText = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'));

describe('decodeDigest', () => {
  it("reads every 16-character base64 text (idDigest's form) as its 96 bits", () => {
    fc.assert(
      fc.property(digestText, (text) => {
        const out: DecodedDigest = [0, 0, 0];
        expect(decodeDigest(text, out)).toBe(true);
        expect(out).toEqual(expectedWords(text));
      }),
      { numRuns: 2000 },
    );
    const out: DecodedDigest = [0, 0, 0];
    expect(decodeDigest(idDigest('evt-1'), out)).toBe(true);
  });

  it('gives distinct texts distinct values', () => {
    const seen = new Map<string, string>();
    const out: DecodedDigest = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const text = randomBytes(12).toString('base64');
      decodeDigest(text, out);
      const key = out.join(',');
      const before = seen.get(key);
      if (before !== undefined) expect(before).toBe(text);
      seen.set(key, text);
    }
  });

  it.each([
    ['', 'empty'],
    ['AAAAAAAAAAAAAAA', '15 characters'],
    ['AAAAAAAAAAAAAAAAA', '17 characters'],
    ['AAAAAAAAAAAAAA==', 'padding'],
    ['AAAAAAAAAAAAAA-_', 'base64url characters'],
    ['AAAAAAAA AAAAAAA', 'a space'],
    ['AAAAAAAAAAAAAAAé', 'a non-ASCII character'],
    ['old', 'a word'],
  ])('refuses %j (%s)', (text) => {
    expect(decodeDigest(text, [0, 0, 0])).toBe(false);
  });
});

describe('DigestSet', () => {
  it('agrees with a Set of the same texts, across growth', () => {
    const set = new DigestSet(16);
    const reference = new Set<string>();
    const d: DecodedDigest = [0, 0, 0];
    const texts = Array.from({ length: 50_000 }, () => randomBytes(12).toString('base64'));
    for (const [i, text] of texts.entries()) {
      decodeDigest(text, d);
      expect(set.add(d)).toBe(!reference.has(text));
      reference.add(text);
      if (i % 7 === 0) {
        decodeDigest(texts[i >> 1], d);
        expect(set.add(d)).toBe(false); // already there
      }
    }
    expect(set.size).toBe(reference.size);
    for (const text of texts) expect(set.has((decodeDigest(text, d), d))).toBe(true);
    for (let i = 0; i < 50_000; i++) {
      const other = randomBytes(12).toString('base64');
      expect(set.has((decodeDigest(other, d), d))).toBe(reference.has(other));
    }
  });

  it('holds a million ids in under 40 bytes each', () => {
    const set = new DigestSet();
    const d: DecodedDigest = [0, 0, 0];
    const bytes = randomBytes(12 * 1_000_000);
    for (let i = 0; i < 1_000_000; i++) {
      decodeDigest(bytes.subarray(i * 12, i * 12 + 12).toString('base64'), d);
      set.add(d);
    }
    expect(set.size).toBe(1_000_000);
    expect(set.bytes / set.size).toBeLessThan(40);
  });
});

describe('DedupStore', () => {
  const HOUR = 3_600_000;

  it('remembers an id for the whole window, however the window and the times fall', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 * 30 }), // window in hours
        fc.array(fc.integer({ min: 0, max: 60 * 24 * 60 }), { minLength: 1, maxLength: 30 }), // ages in minutes
        fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        (hours, ages, now) => {
          const store = new DedupStore(hours * HOUR);
          const ids = ages.map((age, i) => ({ digest: idDigest(`evt-${i}-${age}`), at: now - age * 60_000 - (i % 60) * 1000 }));
          for (const { digest, at } of [...ids].sort((a, b) => a.at - b.at)) store.add(digest, at);
          store.prune(now);
          const generationMs = Math.max(1, Math.ceil((hours * 60) / 16)) * 60_000;
          for (const { digest, at } of ids) {
            if (at >= now - hours * HOUR) expect(store.has(digest)).toBe(true); // inside the window: kept
            if (at < now - hours * HOUR - generationMs - 60_000) expect(store.has(digest)).toBe(false); // well past it: gone
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps an id added again for as long as its latest time says', () => {
    const store = new DedupStore(HOUR);
    const now = 1_800_000_000_000;
    const id = idDigest('evt-again');
    store.add(id, now - 3 * HOUR);
    store.add(id, now - 10 * 60_000);
    expect(store.prune(now)).toBe(1); // the old generation went, with the old copy
    expect(store.has(id)).toBe(true);
  });

  it('keeps texts that are not digests as before, by minute', () => {
    const store = new DedupStore(HOUR);
    const now = 1_800_000_000_000;
    store.add('old', now - 2 * HOUR);
    store.add('new', now - 5 * 60_000);
    expect(store.size).toBe(2);
    expect(store.prune(now)).toBe(1);
    expect(store.has('old')).toBe(false);
    expect(store.has('new')).toBe(true);
  });

  it('counts what it remembers', () => {
    const store = new DedupStore(72 * HOUR);
    const now = 1_800_000_000_000;
    for (let i = 0; i < 1000; i++) store.add(idDigest(`evt-${i}`), now - i * 60_000);
    expect(store.size).toBe(1000);
    expect(store.has(idDigest('evt-999'))).toBe(true);
    expect(store.has(idDigest('evt-1000'))).toBe(false);
  });
});
