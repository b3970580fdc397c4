/** Table-driven behaviour of every preset and a generic HMAC scheme, through the public API only. */
import { createVerifier, signRequest, type VerifyFailure, type VerifyResult } from '@app/webhooks';
import { KNOWN_VECTORS } from './known-vectors';
import { BODY, NOW, SCHEME_CASES, sign, verify, type SchemeCase } from './scheme-cases';

type Expected = VerifyFailure | 'ok';
/** A table row: what to do to a scheme's request and what the verifier must answer. */
interface Behaviour {
  what: string;
  expected: Expected;
  run: (c: SchemeCase) => VerifyResult;
  applies?: (c: SchemeCase) => boolean;
}
const NOW_SECONDS = NOW / 1000;

/** The result a verifier should give: ok results carry the timestamp when the scheme has one. */
function expectResult(c: SchemeCase, result: unknown, expected: Expected): void {
  if (expected === 'ok') {
    expect(result).toEqual(c.timestamp ? { ok: true, timestamp: NOW_SECONDS } : { ok: true });
  } else {
    expect(result).toEqual({ ok: false, reason: expected });
  }
}

/** Every scheme crossed with every item. */
function rows<M extends object>(items: readonly M[]): (M & { scheme: string; c: SchemeCase })[] {
  return SCHEME_CASES.flatMap((c) => items.map((m) => ({ ...m, scheme: c.name, c })));
}

/** Rows whose item applies to its scheme (e.g. prefix tests only where there is a prefix). */
function applicable<R extends { c: SchemeCase; applies?: (c: SchemeCase) => boolean }>(table: R[]): R[] {
  return table.filter((row) => row.applies?.(row.c) ?? true);
}

describe('core behaviour', () => {
  const flipped = Buffer.from(BODY);
  flipped[5] ^= 0x01;
  const behaviours: Behaviour[] = [
    { what: 'good request is accepted', expected: 'ok', run: (c: SchemeCase) => verify(c, sign(c)) },
    {
      what: 'rotation: signed with the previous secret is accepted',
      expected: 'ok',
      run: (c: SchemeCase) => verify(c, sign(c, c.secrets[1]), { secrets: [...c.secrets] }),
    },
    {
      what: 'rotation: signed with the current secret is accepted',
      expected: 'ok',
      run: (c: SchemeCase) => verify(c, sign(c), { secrets: [c.secrets[1], c.secrets[0]] }),
    },
    { what: 'tampered body (one byte)', expected: 'signature_mismatch', run: (c: SchemeCase) => verify(c, sign(c), { body: flipped }) },
    { what: 'wrong secret', expected: 'signature_mismatch', run: (c: SchemeCase) => verify(c, sign(c, c.wrongSecret)) },
  ];
  it.each(applicable(rows(behaviours)))('$scheme: $what', ({ c, run, expected }) => {
    expectResult(c, run(c), expected);
  });

  // Bytes that are not valid UTF-8 change if anything decodes the body to a string and back.
  const binary = Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]);
  it.each(rows([{}]))('$scheme: verifies the raw bytes, not a re-serialized body', ({ c }) => {
    const headers = sign(c, c.secrets[0], binary);
    expectResult(c, verify(c, headers, { body: binary }), 'ok');
    expectResult(c, verify(c, headers, { body: Buffer.from(binary.toString('utf8')) }), 'signature_mismatch');
  });
});

/** Digest edits, by encoding: each produces the digest text for a broken variant. */
const DIGEST_EDITS: Record<'hex' | 'base64', Record<string, (d: string) => string>> = {
  hex: {
    short: (d) => d.slice(0, -2),
    long: (d) => `${d}00`,
    foreign: (d) => `g${d.slice(1)}`,
    // '0' and 'a' differ in value; 'a' -> 'A' would not (hex is case-insensitive).
    changed: (d) => (d.startsWith('0') ? 'a' : '0') + d.slice(1),
  },
  base64: {
    short: (d) => Buffer.from(d, 'base64').subarray(1).toString('base64'),
    long: (d) => Buffer.concat([Buffer.from(d, 'base64'), Buffer.of(0)]).toString('base64'),
    foreign: (d) => `!${d.slice(1)}`,
    changed: (d) => (d.startsWith('A') ? 'B' : 'A') + d.slice(1),
  },
};

/** Same decoded bytes, different text: the unused low bit of the last data character is set. */
function nonCanonical(d: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = d.replace(/=+$/, '').length - 1;
  return d.slice(0, last) + alphabet[alphabet.indexOf(d[last]) ^ 1] + d.slice(last + 1);
}

type Mutation = {
  what: string;
  expected: Expected;
  applies?: (c: SchemeCase) => boolean;
  /** undefined removes the header. */
  value: (c: SchemeCase, good: string) => string | string[] | undefined;
};
const isBase64 = (c: SchemeCase) => c.encoding === 'base64';
const edit = (name: string) => (c: SchemeCase, good: string) => c.editDigest(good, DIGEST_EDITS[c.encoding][name]);

describe('hostile signature header', () => {
  const mutations: Mutation[] = [
    { what: 'header missing', expected: 'missing_signature', value: () => undefined },
    { what: 'header empty', expected: 'missing_signature', value: () => '' },
    { what: 'header duplicated (string[])', expected: 'malformed_signature', value: (_c, good) => [good, good] },
    { what: 'header of 10 KB', expected: 'malformed_signature', value: () => 'a'.repeat(10 * 1024) },
    { what: 'prefix missing', expected: 'malformed_signature', applies: (c) => c.withoutPrefix !== undefined, value: (c, good) => c.withoutPrefix?.(good) },
    { what: 'digest one byte short', expected: 'malformed_signature', value: edit('short') },
    { what: 'digest one byte long', expected: 'malformed_signature', value: edit('long') },
    { what: 'digest with a character outside the alphabet', expected: 'malformed_signature', value: edit('foreign') },
    { what: 'digest with one character changed', expected: 'signature_mismatch', value: edit('changed') },
    { what: 'hex digest in upper case is accepted', expected: 'ok', applies: (c) => !isBase64(c), value: (c, good) => c.editDigest(good, (d) => d.toUpperCase()) },
    { what: 'base64 padding stripped', expected: 'malformed_signature', applies: isBase64, value: (c, good) => c.editDigest(good, (d) => d.replace(/=+$/, '')) },
    { what: 'non-canonical base64 of the right bytes', expected: 'malformed_signature', applies: isBase64, value: (c, good) => c.editDigest(good, nonCanonical) },
  ];
  it.each(applicable(rows(mutations)))('$scheme: $what → $expected', ({ c, value, expected }) => {
    const good = sign(c);
    const headers: Record<string, string | string[] | undefined> = { ...good, [c.signatureHeader]: value(c, good[c.signatureHeader]) };
    expectResult(c, verify(c, headers), expected);
  });
});

describe('timestamps', () => {
  const hasTimestamp = (c: SchemeCase) => c.timestamp !== undefined;
  const tolerance = (c: SchemeCase) => c.timestamp?.toleranceSeconds ?? NaN;
  const at = (c: SchemeCase, seconds: number) => verify(c, sign(c), { nowMs: NOW + seconds * 1000 });
  const behaviours: Behaviour[] = [
      { what: 'past, just inside tolerance', expected: 'ok', run: (c: SchemeCase) => at(c, tolerance(c)) },
      { what: 'past, 999 ms past tolerance (whole seconds count)', expected: 'ok', run: (c: SchemeCase) => verify(c, sign(c), { nowMs: NOW + tolerance(c) * 1000 + 999 }) },
      { what: 'past, beyond tolerance', expected: 'stale_timestamp', run: (c: SchemeCase) => at(c, tolerance(c) + 1) },
      { what: 'future, just inside tolerance', expected: 'ok', run: (c: SchemeCase) => at(c, -tolerance(c)) },
      { what: 'future, beyond tolerance', expected: 'stale_timestamp', run: (c: SchemeCase) => at(c, -tolerance(c) - 1) },
      { what: 'clock is NaN (fails closed)', expected: 'stale_timestamp', run: (c: SchemeCase) => verify(c, sign(c), { nowMs: NaN }) },
  ];
  it.each(rows(behaviours).filter((row) => hasTimestamp(row.c)))('$scheme: $what → $expected', ({ c, run, expected }) => {
    expectResult(c, run(c), expected);
  });

  const malformed = ['17e8', '-1700000000', '+1700000000', '1700000000.0', ' 1700000000', '0x6553F100', '１７００００００００', '1700000000000', 'abc'];
  it.each(rows(malformed.map((text) => ({ text }))).filter((row) => hasTimestamp(row.c)))(
    '$scheme: timestamp "$text" → malformed_timestamp',
    ({ c, text }) => {
      expectResult(c, verify(c, c.timestamp?.set(sign(c), text) ?? {}), 'malformed_timestamp');
    },
  );

  it.each(rows([{}]).filter((row) => hasTimestamp(row.c)))('$scheme: timestamp missing → missing_timestamp', ({ c }) => {
    expectResult(c, verify(c, c.timestamp?.remove(sign(c)) ?? {}), 'missing_timestamp');
  });

  it.each(rows([{}]).filter((row) => hasTimestamp(row.c)))('$scheme: a different (fresh) timestamp → signature_mismatch', ({ c }) => {
    // Proves the timestamp is covered by the signature: replays cannot just refresh it.
    expectResult(c, verify(c, c.timestamp?.set(sign(c), String(NOW_SECONDS + 1)) ?? {}), 'signature_mismatch');
  });
});

describe('independent known-good vectors (see known-vectors.ts)', () => {
  it.each(KNOWN_VECTORS)('$name: verifies', ({ config, secret, body, headers, nowMs }) => {
    expect(createVerifier(config, [secret]).verify({ rawBody: body, headers, nowMs }).ok).toBe(true);
  });

  it.each(KNOWN_VECTORS)('$name: signRequest reproduces the provider headers', ({ config, secret, body, headers, nowMs }) => {
    const id = typeof headers['webhook-id'] === 'string' ? headers['webhook-id'] : undefined;
    expect(signRequest(config, secret, body, nowMs, { id })).toEqual(headers);
  });
});
