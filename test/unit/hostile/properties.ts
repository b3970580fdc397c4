import fc from 'fast-check';
import {
  expectDocumentedShape,
  expectRefused,
  expectStored,
  post,
  PROVIDERS,
  quarantined,
  SAMPLES,
  SIGNATURE_HEADER,
  signedFor,
  TIMESTAMPED,
  type HeaderMap,
  type HostileIngress,
  type ProviderName,
} from '../../support/hostile';

/**
 * Property-based hostile input. Seeded so a run is reproducible (HOSTILE_SEED picks another seed; on a
 * failure fast-check prints the seed and path to replay it).
 */
export const SEED = Number(process.env.HOSTILE_SEED ?? 20_240_917);
const provider = fc.constantFrom(...PROVIDERS);
const other = (p: ProviderName): ProviderName => PROVIDERS[(PROVIDERS.indexOf(p) + 1) % PROVIDERS.length];
const toBuffer = (v: unknown) => Buffer.from(JSON.stringify(v));
const isSlackHandshake = (v: unknown) => v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'url_verification';

/** Any bytes a client might send: random, random text, JSON, real samples. */
const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.jsonValue({ maxDepth: 3 }).map(toBuffer),
  provider.map((p) => SAMPLES[p].body),
);

interface Choice {
  what: string;
  /** Whether these headers carry a valid signature for exactly these bytes. */
  authentic: (p: ProviderName) => boolean;
  make: (p: ProviderName, body: Buffer, noise: string) => HeaderMap;
}

const SIGNATURE_CHOICES: Choice[] = [
  { what: 'valid for these bytes', authentic: () => true, make: (p, b) => signedFor(p, b) },
  { what: 'valid for other bytes', authentic: () => false, make: (p, b) => signedFor(p, Buffer.concat([b, Buffer.from(' ')])) },
  { what: 'signed an hour ago', authentic: (p) => !TIMESTAMPED.includes(p), make: (p, b) => signedFor(p, b, { nowMs: Date.now() - 3_600_000 }) },
  { what: "another provider's", authentic: () => false, make: (p, b) => signedFor(other(p), b) },
  { what: 'none', authentic: () => false, make: () => ({ 'content-type': 'application/json' }) },
  { what: 'random text', authentic: () => false, make: (p, b, noise) => ({ ...signedFor(p, b), [SIGNATURE_HEADER[p]]: noise }) },
  {
    what: 'duplicated',
    authentic: () => false,
    make: (p, b) => {
      const h = signedFor(p, b);
      return { ...h, [SIGNATURE_HEADER[p]]: [String(h[SIGNATURE_HEADER[p]]), String(h[SIGNATURE_HEADER[p]])] };
    },
  },
];

const CONTENT_TYPES: [string | string[] | undefined, boolean][] = [
  ['application/json', true],
  ['application/json; charset=utf-8', true],
  ['text/plain', false],
  [undefined, false],
  [['application/json', 'application/json'], false],
];

/** Headers that never take part in a signature, so noise in them cannot change authenticity. */
const NOISE_HEADERS = fc.dictionary(fc.constantFrom('x-github-event', 'x-github-delivery', 'x-shopify-topic', 'x-shopify-event-id', 'traceparent', 'x-noise'), fc.string({ maxLength: 300 }), { maxKeys: 3 });

/** 1. Any bytes, any headers from the pool: a documented answer, and a record only for a valid signature. */
export async function anyRequest(hostile: HostileIngress, numRuns: number): Promise<void> {
  const arb = fc.record({ p: provider, body: anyBody, choice: fc.constantFrom(...SIGNATURE_CHOICES), type: fc.constantFrom(...CONTENT_TYPES), noise: fc.string({ unit: 'binary', maxLength: 100 }), extra: NOISE_HEADERS });
  await fc.assert(
    fc.asyncProperty(arb, async ({ p, body, choice, type: [contentType, jsonType], noise, extra }) => {
      const headers: HeaderMap = { ...extra, ...choice.make(p, body, noise) };
      delete headers['content-type'];
      if (contentType !== undefined) headers['content-type'] = contentType;
      const request = post(p, body, headers);
      const authentic = choice.authentic(p);
      expect(hostile.authentic(request)).toBe(authentic); // the pool and the oracle agree
      const sent = await hostile.send(request);
      expectDocumentedShape(sent);
      if (sent.records.length > 0) expect(authentic && jsonType).toBe(true);
      if (!jsonType) expect(sent.status).toBe(415);
      else expect(authentic ? [200, 202, 400] : [401]).toContain(sent.status);
    }),
    { seed: SEED, numRuns },
  );
}

/** 2. A correctly signed JSON value: 202 with exactly one record whose value re-parses to what was sent. */
export async function signedJson(hostile: HostileIngress, p: ProviderName, numRuns: number): Promise<void> {
  const value = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).filter((v) => !(p === 'slack' && isSlackHandshake(v)));
  await fc.assert(
    fc.asyncProperty(value, async (v) => {
      const body = toBuffer(v);
      const sent = await hostile.send(post(p, body, signedFor(p, body)));
      const status = (JSON.parse(sent.body) as { status?: unknown }).status;
      const record = expectStored(sent, status === 'accepted' ? 'accepted' : 'quarantined');
      const sentValue: unknown = JSON.parse(body.toString());
      if (record.topic === 'webhooks.quarantine') expect(quarantined(record).body).toEqual(sentValue);
      else if (record.topic === SAMPLES[p].topic && record.topic.startsWith('webhooks.')) expect(Buffer.compare(record.message.value as Buffer, body)).toBe(0);
    }),
    { seed: SEED, numRuns },
  );
}

/** 3. One byte of a correctly signed body changed: 401 and nothing written. */
export async function oneByteChanged(hostile: HostileIngress, numRuns: number): Promise<void> {
  const body = fc.oneof(
    provider.map((p) => SAMPLES[p].body),
    fc.jsonValue({ maxDepth: 3 }).map(toBuffer),
  );
  const arb = fc.record({ p: provider, body, at: fc.nat(), flip: fc.integer({ min: 1, max: 255 }) });
  await fc.assert(
    fc.asyncProperty(arb, async ({ p, body: original, at, flip }) => {
      const mutated = Buffer.from(original);
      mutated[at % mutated.length] ^= flip;
      const sent = await hostile.send(post(p, mutated, signedFor(p, original)));
      expectRefused(sent, 'SIGNATURE_INVALID');
    }),
    { seed: SEED, numRuns },
  );
}
