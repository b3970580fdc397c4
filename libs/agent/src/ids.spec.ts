import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { effectKey, followUpId, idDigest } from './ids';

/**
 * Ids are a contract across versions: a follow-up's id must come out the same after an upgrade (readers
 * deduplicate by it), and a remembered digest must still match the event it stands for. The reference is
 * the construction these functions first used: a Hash object fed the parts one by one.
 */
function referenceFollowUpId(inputId: string, purpose: string): string {
  const h = createHash('sha256').update(inputId).update('\u0000').update(purpose).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
const referenceDigest = (id: string) => createHash('sha256').update(id).digest().subarray(0, 12).toString('base64');

// Any UTF-16 text, lone surrogates included (hashed as their UTF-8 replacement, as Hash.update did).
const text = fc.string({ unit: fc.oneof(fc.constantFrom('\uD800', '\uDC00', '\u0000', '😀', 'é'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))), maxLength: 40 });

describe('event ids', () => {
  it('are the same as the reference construction for any input', () => {
    fc.assert(
      fc.property(text, text, (id, purpose) => {
        expect(followUpId(id, purpose)).toBe(referenceFollowUpId(id, purpose));
        expect(idDigest(id)).toBe(referenceDigest(id));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['evt-1', 'qualified', 'f4140cd9-0760-8274-9bd4-432ffd65e953'],
    ['lead_42', '\u0000effect\u0000send-welcome', '76d186d0-5f73-8f1b-9aba-0729cdca3219'],
  ])('keep the follow-up id of (%j, %j) that earlier versions wrote', (id, purpose, expected) => {
    expect(followUpId(id, purpose)).toBe(expected);
  });

  it('keep the digests earlier versions remembered', () => {
    expect(idDigest('evt-1')).toBe('e0Cfky0siOl/DBdn');
    expect(idDigest('\u{1F600}\uD800x')).toBe('nLsJropmV7vvNjB0');
    expect(effectKey('lead_42', 'send-welcome')).toBe('76d186d0-5f73-8f1b-9aba-0729cdca3219');
  });
});
