/** Property tests: whatever arrives in the headers, verify() answers, never throws, never accepts a forgery. */
import fc from 'fast-check';
import { createVerifier, type HeaderValue } from '@app/webhooks';
import { BODY, NOW, SCHEME_CASES, sign } from './scheme-cases';

const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^[tv0-9=,a-f ]{0,200}$/),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(undefined),
);

describe.each(SCHEME_CASES)('$name under hostile input', (c) => {
  const verifier = createVerifier(c.config, [...c.secrets]);
  const good = sign(c);
  const names = Object.keys(good);

  it('rejects any replacement of one header value (never throws)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), headerValue, (name, value) => {
        fc.pre(value !== good[name]);
        const result = verifier.verify({ rawBody: BODY, headers: { ...good, [name]: value }, nowMs: NOW });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects the signed headers with any other body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const body = Buffer.from(bytes);
        fc.pre(!body.equals(BODY));
        expect(verifier.verify({ rawBody: body, headers: good, nowMs: NOW })).toEqual({ ok: false, reason: 'signature_mismatch' });
      }),
      { numRuns: 100 },
    );
  });

  it('rejects arbitrary header maps', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names, 'other'), headerValue), fc.double(), (headers, nowMs) => {
        expect(verifier.verify({ rawBody: BODY, headers, nowMs }).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
