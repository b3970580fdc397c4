/** Structure rules particular to the Stripe and Standard Webhooks headers. */
import { createVerifier, SCHEME_PRESETS, signRequest, type Headers } from '@app/webhooks';
import { BODY, MESSAGE_ID, NOW } from './scheme-cases';

const NOW_SECONDS = NOW / 1000;
const TS = String(NOW_SECONDS);

describe('stripe-signature header', () => {
  const secret = 'whsec_current';
  const good = signRequest(SCHEME_PRESETS.stripe, secret, BODY, NOW)['stripe-signature'];
  const goodV1 = good.slice(good.indexOf('v1='));
  const otherV1 = `v1=${'ab'.repeat(32)}`;
  const verify = (value: string | string[]) =>
    createVerifier(SCHEME_PRESETS.stripe, [secret]).verify({ rawBody: BODY, headers: { 'stripe-signature': value }, nowMs: NOW });

  it.each([
    { what: 'several v1, the second matches (Stripe rolling its secret)', value: `t=${TS},${otherV1},${goodV1}` },
    { what: 'v0 and unknown keys are ignored', value: `t=${TS},v0=${'cd'.repeat(32)},${goodV1},scheme=x` },
    { what: 'timestamp after the signatures', value: `${goodV1},t=${TS}` },
  ])('accepts: $what', ({ value }) => {
    expect(verify(value)).toEqual({ ok: true, timestamp: NOW_SECONDS });
  });

  it.each([
    { what: 'only v0, no v1', value: `t=${TS},v0=${'cd'.repeat(32)}`, reason: 'malformed_signature' },
    { what: 'an item without "="', value: `t=${TS},${goodV1},garbage`, reason: 'malformed_signature' },
    { what: 'an item with an empty key', value: `t=${TS},=1,${goodV1}`, reason: 'malformed_signature' },
    { what: 'two t items', value: `t=${TS},t=${TS},${goodV1}`, reason: 'malformed_signature' },
    { what: 'one of several v1 malformed', value: `t=${TS},${goodV1},v1=zz`, reason: 'malformed_signature' },
    { what: 't present but empty', value: `t=,${goodV1}`, reason: 'malformed_timestamp' },
    { what: 'no matching v1', value: `t=${TS},${otherV1}`, reason: 'signature_mismatch' },
    // Without the length bound this would verify: the padding is an ignored key.
    { what: 'valid but padded to 10 KB with an ignored key', value: `${good},x=${'a'.repeat(10 * 1024)}`, reason: 'malformed_signature' },
    { what: 'a space after the comma (" v1" is an unknown key)', value: good.replace(',', ', '), reason: 'malformed_signature' },
  ])('rejects: $what → $reason', ({ value, reason }) => {
    expect(verify(value)).toEqual({ ok: false, reason });
  });

  it('uses the secret as-is, whsec_ prefix included (unlike Standard Webhooks)', () => {
    const signed = signRequest(SCHEME_PRESETS.stripe, 'current', BODY, NOW)['stripe-signature'];
    expect(verify(signed)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });
});

describe('standard-webhooks headers', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const good = signRequest(SCHEME_PRESETS.standardWebhooks, secret, BODY, NOW, { id: MESSAGE_ID });
  const otherV1 = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
  const verify = (headers: Headers, secrets = [secret]) =>
    createVerifier(SCHEME_PRESETS.standardWebhooks, secrets).verify({ rawBody: BODY, headers, nowMs: NOW });
  const withSignature = (value: string) => ({ ...good, 'webhook-signature': value });

  it.each([
    { what: 'other versions skipped, a later v1 matches', headers: withSignature(`v1a,abc ${otherV1} ${good['webhook-signature']}`) },
    { what: 'secret configured without the whsec_ prefix', headers: good, secrets: [secret.slice('whsec_'.length)] },
  ])('accepts: $what', ({ headers, secrets }) => {
    expect(verify(headers, secrets)).toEqual({ ok: true, timestamp: NOW_SECONDS });
  });

  it.each([
    { what: 'only non-v1 entries', headers: withSignature('v1a,abc v2,def'), reason: 'malformed_signature' },
    { what: 'an entry without a comma', headers: withSignature(`${good['webhook-signature']} v1`), reason: 'malformed_signature' },
    { what: 'a double space (empty entry)', headers: withSignature(`${otherV1}  ${good['webhook-signature']}`), reason: 'malformed_signature' },
    { what: 'webhook-id missing', headers: { ...good, 'webhook-id': undefined }, reason: 'malformed_signature' },
    { what: 'webhook-id duplicated', headers: { ...good, 'webhook-id': [MESSAGE_ID, MESSAGE_ID] }, reason: 'malformed_signature' },
    { what: 'webhook-timestamp duplicated', headers: { ...good, 'webhook-timestamp': [good['webhook-timestamp'], good['webhook-timestamp']] }, reason: 'malformed_timestamp' },
    { what: 'a different webhook-id (the id is signed)', headers: { ...good, 'webhook-id': 'msg_other' }, reason: 'signature_mismatch' },
  ])('rejects: $what → $reason', ({ headers, reason }) => {
    expect(verify(headers)).toEqual({ ok: false, reason });
  });
});

describe('hmac timestamp header', () => {
  it('a duplicated timestamp header → malformed_timestamp', () => {
    const good = signRequest(SCHEME_PRESETS.slack, 'slack-secret', BODY, NOW);
    const ts = good['x-slack-request-timestamp'];
    const headers = { ...good, 'x-slack-request-timestamp': [ts, ts] };
    const result = createVerifier(SCHEME_PRESETS.slack, ['slack-secret']).verify({ rawBody: BODY, headers, nowMs: NOW });
    expect(result).toEqual({ ok: false, reason: 'malformed_timestamp' });
  });
});
