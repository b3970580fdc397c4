/**
 * Interoperability with the providers' own libraries: their signatures verify
 * here, and signRequest's output verifies there.
 */
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { createVerifier, SCHEME_PRESETS, signRequest, type SchemeConfig } from '@app/webhooks';
import { octokitSign, octokitVerify } from './octokit';

const PAYLOAD = JSON.stringify({ id: 'evt_test_1', object: 'event', data: { amount: 4200, note: 'café ☕' } });
const BODY = Buffer.from(PAYLOAD);
const TAMPERED = Buffer.from(PAYLOAD.replace('4200', '4201'));
const T = 1_700_000_000;

const verify = (config: SchemeConfig, secret: string, headers: Record<string, string>, body = BODY, nowMs = T * 1000) =>
  createVerifier(config, [secret]).verify({ rawBody: body, headers, nowMs });

describe('Stripe (stripe-node v18)', () => {
  const stripe = new Stripe('sk_test_x');
  const secret = 'whsec_test_compat_secret';
  const header = stripe.webhooks.generateTestHeaderString({ payload: PAYLOAD, secret, timestamp: T });
  const headers = { 'stripe-signature': header };

  it.each([
    { what: 'its test header is accepted', body: BODY, key: secret, nowMs: T * 1000, expected: { ok: true, timestamp: T } },
    { what: 'tampered body', body: TAMPERED, key: secret, nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'wrong secret', body: BODY, key: 'whsec_other', nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'timestamp 301 s old', body: BODY, key: secret, nowMs: (T + 301) * 1000, expected: { ok: false, reason: 'stale_timestamp' } },
  ])('$what', ({ body, key, nowMs, expected }) => {
    expect(verify(SCHEME_PRESETS.stripe, key, headers, body, nowMs)).toEqual(expected);
  });

  it('our signRequest output passes stripe.webhooks.constructEvent (real clock)', () => {
    const ours = signRequest(SCHEME_PRESETS.stripe, secret, BODY, Date.now());
    const event = stripe.webhooks.constructEvent(BODY, ours['stripe-signature'], secret);
    expect(event.id).toBe('evt_test_1');
    expect(() => stripe.webhooks.constructEvent(TAMPERED, ours['stripe-signature'], secret)).toThrow();
  });
});

describe('Standard Webhooks (standardwebhooks v1)', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const headers = {
    'webhook-id': msgId,
    'webhook-timestamp': String(T),
    'webhook-signature': new Webhook(secret).sign(msgId, new Date(T * 1000), PAYLOAD),
  };
  const otherSecret = `whsec_${Buffer.from('a different secret key!!').toString('base64')}`;

  it.each([
    { what: 'its signature is accepted', body: BODY, key: secret, nowMs: T * 1000, expected: { ok: true, timestamp: T } },
    { what: 'tampered body', body: TAMPERED, key: secret, nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'wrong secret', body: BODY, key: otherSecret, nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'timestamp 301 s old', body: BODY, key: secret, nowMs: (T + 301) * 1000, expected: { ok: false, reason: 'stale_timestamp' } },
  ])('$what', ({ body, key, nowMs, expected }) => {
    expect(verify(SCHEME_PRESETS.standardWebhooks, key, headers, body, nowMs)).toEqual(expected);
  });

  it('our signRequest output passes Webhook.verify (real clock)', () => {
    const ours = signRequest(SCHEME_PRESETS.standardWebhooks, secret, BODY, Date.now(), { id: msgId });
    expect(new Webhook(secret).verify(PAYLOAD, ours)).toEqual(JSON.parse(PAYLOAD));
    expect(() => new Webhook(otherSecret).verify(PAYLOAD, ours)).toThrow('No matching signature found');
  });
});

describe('GitHub (@octokit/webhooks-methods v6, run in a child ESM process)', () => {
  const secret = 'gh-webhook-secret';

  it('its signature is accepted, and rejected for a tampered body or wrong secret', async () => {
    const headers = { 'x-hub-signature-256': await octokitSign(secret, PAYLOAD) };
    expect(verify(SCHEME_PRESETS.github, secret, headers)).toEqual({ ok: true });
    expect(verify(SCHEME_PRESETS.github, secret, headers, TAMPERED)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verify(SCHEME_PRESETS.github, 'other', headers)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('our signRequest output passes its verify(), and a tampered payload does not', async () => {
    const ours = signRequest(SCHEME_PRESETS.github, secret, BODY, Date.now())['x-hub-signature-256'];
    expect(await octokitVerify(secret, PAYLOAD, ours)).toBe(true);
    expect(await octokitVerify(secret, TAMPERED.toString(), ours)).toBe(false);
  });
});

describe('Slack (computed per its docs with node:crypto)', () => {
  const secret = 'slack-signing-secret';
  // https://api.slack.com/authentication/verifying-requests-from-slack: v0=hex(HMAC-SHA256(secret, `v0:${String(ts)}:${body}`))
  const slackSignature = (ts: number, body: string) =>
    `v0=${createHmac('sha256', secret).update(`v0:${String(ts)}:${body}`).digest('hex')}`;
  const headers = { 'x-slack-signature': slackSignature(T, PAYLOAD), 'x-slack-request-timestamp': String(T) };

  it.each([
    { what: 'its signature is accepted', body: BODY, key: secret, nowMs: T * 1000, expected: { ok: true, timestamp: T } },
    { what: 'tampered body', body: TAMPERED, key: secret, nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'wrong secret', body: BODY, key: 'other', nowMs: T * 1000, expected: { ok: false, reason: 'signature_mismatch' } },
    { what: 'timestamp 301 s old', body: BODY, key: secret, nowMs: (T + 301) * 1000, expected: { ok: false, reason: 'stale_timestamp' } },
  ])('$what', ({ body, key, nowMs, expected }) => {
    expect(verify(SCHEME_PRESETS.slack, key, headers, body, nowMs)).toEqual(expected);
  });

  it('our signRequest output matches the documented computation', () => {
    expect(signRequest(SCHEME_PRESETS.slack, secret, BODY, T * 1000)).toEqual(headers);
  });
});
