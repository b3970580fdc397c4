import { expectStored, HostileIngress, kafkaHeader, post, PROVIDERS, SAMPLES, signedAt, signedFor, type HostileCase } from '../../support/hostile';
import { bodyCases } from './bodies';
import { headerCases } from './headers';
import { injectionCases } from './injection';
import { anyRequest, oneByteChanged, signedJson } from './properties';
import { prototypeCases } from './prototypes';
import { contentTypeCases, methodCases, routingCases, UNKNOWN_NAMES } from './routing';
import { signatureCases, timestampCases } from './signatures';

/**
 * The hostile-input suite: a table-driven corpus and fast-check properties thrown at the real ingress
 * (real provider config, test secrets, a fake producer) through Fastify inject (raw-socket.spec.ts sends
 * what inject cannot). Every case asserts the
 * documented status and exact catalogue body, and the harness counts every request, every crash (a
 * throw, a 5xx, a failed liveness probe) and every record written without a valid signature.
 */

const MB = 1024 * 1024;
/** `npm run test:faults` multiplies the generated cases (HOSTILE_SCALE=4); `npm test` runs them once. */
const SCALE = Number(process.env.HOSTILE_SCALE || 1);
const gc = (globalThis as { gc?: () => void }).gc;

describe('the ingress under hostile input', () => {
  let hostile: HostileIngress;

  beforeAll(async () => {
    gc?.();
    hostile = await HostileIngress.start();
  });

  afterEach(async () => {
    await hostile.checkAlive();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  afterAll(async () => {
    console.log(hostile.summary());
    const unhandled = hostile.logs.filter((l) => l.includes('"unhandled error"'));
    await hostile.app.close();
    expect({ crashes: hostile.crashes, unauthenticatedRecords: hostile.unauthenticatedRecords, unhandled }).toEqual({ crashes: 0, unauthenticatedRecords: 0, unhandled: [] });
  });

  const table = (group: string, cases: HostileCase[]) =>
    describe(group, () => {
      it.each(cases)('$name', async (c) => {
        await hostile.run(c);
      });
    });

  describe('bodies', () => bodyCases().forEach(({ group, cases }) => table(group, cases)));
  table('__proto__ and constructor keys', prototypeCases());
  describe('headers', () => headerCases().forEach(({ group, cases }) => table(group, cases)));
  table('signatures of the wrong length and alphabet', signatureCases());
  table('hostile timestamps', timestampCases());
  table('unknown providers and path tricks', routingCases());
  table('wrong methods', methodCases());
  table('content types', contentTypeCases());
  table('header values that reach records', injectionCases());

  describe('single findings', () => {
    it('sanity: signedAt with the current time signs as signRequest does', () => {
      const nowMs = Date.now();
      const ts = String(Math.floor(nowMs / 1000));
      for (const p of ['slack', 'stripe', 'logistics'] as const) expect(signedAt(p, SAMPLES[p].body, ts)).toEqual(signedFor(p, SAMPLES[p].body, { nowMs, headers: {} }));
    });

    it('gives ids beyond 2^53 that JSON.parse rounds alike distinct event ids', async () => {
      const ceIds = new Set<string>();
      for (const id of ['9007199254740993', '9007199254740992']) {
        const body = Buffer.from(`{"id":${id},"type":"charge.refunded"}`);
        const sent = await hostile.send(post('stripe', body, signedFor('stripe', body)));
        ceIds.add(kafkaHeader(expectStored(sent, 'accepted', 'webhooks.stripe'), 'ce_id'));
      }
      expect(ceIds.size).toBe(2);
    });

    it('keeps unknown provider names out of metric labels', async () => {
      const res = await hostile.app.inject({ method: 'GET', url: '/metrics' });
      for (const name of UNKNOWN_NAMES.filter((n) => n.length > 3)) expect(res.body).not.toContain(`provider="${name}"`);
      expect(res.body).toMatch(/provider="unknown"/);
    });
  });

  describe('properties', () => {
    it('1. any bytes with pooled headers: a documented answer, a record only for a valid signature', () => anyRequest(hostile, 500 * SCALE));
    it.each(PROVIDERS)('2. %s: a signed random JSON value is stored once and re-parses', (p) => signedJson(hostile, p, 200 * SCALE));
    it('3. one byte of a signed body changed: 401, nothing written', () => oneByteChanged(hostile, 400 * SCALE));
  });

  describe('memory', () => {
    // gc is exposed by test/support/expose-gc.ts whether or not jest runs under --expose-gc.
    it('returns close to its starting heap after a forced GC', () => {
      gc?.();
      expect(process.memoryUsage().heapUsed - hostile.heapAtStart).toBeLessThan(50 * MB);
    });

    it('never grew the heap by 200 MB or more during the run (peak sampled after every test, garbage included)', () => {
      expect(hostile.heapPeak - hostile.heapAtStart).toBeLessThan(200 * MB);
      expect(hostile.tried).toBeGreaterThan(2100); // the three properties alone send 2,100
    });
  });
});
