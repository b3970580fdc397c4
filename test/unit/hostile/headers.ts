import type { OutboundRecord } from '@app/kafka';
import { kafkaHeader, post, PROVIDERS, SAMPLES, SIGNATURE_HEADER, signedFor, type HeaderMap, type HostileCase, type ProviderName } from '../../support/hostile';

/**
 * Duplicated, oversized and control-character headers. Inject turns a string[] into one comma-joined
 * string (a real Node server joins most repeated headers with ", " but keeps only the first Content-Type),
 * and it skips Node's 16 KiB header limit (a real server answers 431 first); otherwise values reach the
 * ingress exactly as written, CR, LF and NUL included.
 */

const body = (p: ProviderName) => SAMPLES[p].body;
const withHeaders = (p: ProviderName, extra: HeaderMap, opts: { id?: string } = {}) => post(p, body(p), signedFor(p, body(p), { ...opts, headers: extra }));
const valid = (p: ProviderName): string => String(signedFor(p, body(p))[SIGNATURE_HEADER[p]]);
const contentHashId = (r: OutboundRecord) => expect(kafkaHeader(r, 'ce_id')).toMatch(/^[0-9a-f]{64}$/);

function duplicated(): HostileCase[] {
  const ts = (p: 'slack' | 'logistics') => String(signedFor(p, body(p))[p === 'slack' ? 'x-slack-request-timestamp' : 'webhook-timestamp']);
  return [
    ...PROVIDERS.map((p): HostileCase => ({ name: `${p}: the signature header twice, both valid`, request: withHeaders(p, { [SIGNATURE_HEADER[p]]: [valid(p), valid(p)] }), expect: { code: 'SIGNATURE_INVALID' } })),
    { name: 'slack: the timestamp header twice', request: withHeaders('slack', { 'x-slack-request-timestamp': [ts('slack'), ts('slack')] }), expect: { code: 'TIMESTAMP_INVALID' } },
    { name: 'logistics: webhook-timestamp twice', request: withHeaders('logistics', { 'webhook-timestamp': [ts('logistics'), ts('logistics')] }), expect: { code: 'TIMESTAMP_INVALID' } },
    { name: 'logistics: webhook-id twice', request: withHeaders('logistics', { 'webhook-id': ['msg_test_1', 'msg_test_1'] }), expect: { code: 'SIGNATURE_INVALID' } },
    { name: 'content-type twice', request: withHeaders('crm', { 'content-type': ['application/json', 'application/json'] }), expect: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
    {
      name: 'github: the delivery id twice is not believed: the id is the hash of the content',
      request: withHeaders('github', { 'x-github-delivery': ['d-1', 'd-2'] }),
      expect: { stored: 'accepted', topic: 'webhooks.github', check: contentHashId },
    },
    {
      name: 'github: the event header twice is not believed: no event type, quarantined',
      request: withHeaders('github', { 'x-github-event': ['push', 'push'] }),
      expect: { stored: 'quarantined' },
    },
    { name: 'shop: the topic header twice maps to nothing', request: withHeaders('shop', { 'x-shopify-topic': ['orders/create', 'orders/create'] }), expect: { stored: 'quarantined' } },
  ];
}

function oversized(): HostileCase[] {
  const id10k = 'i'.repeat(10 * 1024);
  return [
    ...PROVIDERS.map((p): HostileCase => ({ name: `${p}: a 16 KB signature`, request: withHeaders(p, { [SIGNATURE_HEADER[p]]: valid(p).padEnd(16 * 1024, '0') }), expect: { code: 'SIGNATURE_INVALID' } })),
    { name: 'logistics: a 10 KB webhook-id, signed over it', request: withHeaders('logistics', {}, { id: id10k }), expect: { code: 'SIGNATURE_INVALID' } },
    { name: 'logistics: a 4000-byte webhook-id verifies but is not carried', request: withHeaders('logistics', {}, { id: 'i'.repeat(4000) }), expect: { stored: 'accepted', topic: 'shipments.updated' } },
    { name: 'github: a 10 KB delivery id is not carried', request: withHeaders('github', { 'x-github-delivery': id10k }), expect: { stored: 'accepted', topic: 'webhooks.github', check: contentHashId } },
    {
      name: 'shop: a 10 KB event id falls back to the webhook id',
      request: withHeaders('shop', { 'x-shopify-event-id': id10k }),
      expect: { stored: 'accepted', topic: 'orders.placed', check: (r) => expect(kafkaHeader(r, 'ce_deliveryid')).toBe('msg_test_1') },
    },
    { name: 'a 64 KB unrelated header', request: withHeaders('crm', { 'x-padding': 'p'.repeat(64 * 1024) }), expect: { stored: 'accepted', topic: 'leads.created' } },
    { name: 'a 64 KB traceparent', request: withHeaders('crm', { traceparent: `00-${'a'.repeat(64 * 1024)}` }), expect: { stored: 'accepted', topic: 'leads.created' } },
  ];
}

/** Each mangling of a valid signature, and Stripe's answer: manglings that hide its `t=` read as a missing timestamp. */
const CONTROL = [
  ['CR LF after', (v: string) => `${v}\r\n`, 'SIGNATURE_INVALID'],
  ['CR LF and a header before', (v: string) => `x\r\nX-Injected: 1\r\n${v}`, 'TIMESTAMP_INVALID'],
  ['a NUL inside', (v: string) => `${v.slice(0, 10)}\u0000${v.slice(10)}`, 'TIMESTAMP_INVALID'],
  ['a trailing space', (v: string) => `${v} `, 'SIGNATURE_INVALID'],
  ['a leading tab', (v: string) => `\t${v}`, 'TIMESTAMP_INVALID'],
] as const;

function control(): HostileCase[] {
  const now = String(Math.floor(Date.now() / 1000));
  return [
    ...PROVIDERS.flatMap((p) =>
      CONTROL.map(([what, f, stripe]): HostileCase => ({
        name: `${p}: the signature with ${what}`,
        request: withHeaders(p, { [SIGNATURE_HEADER[p]]: f(valid(p)) }),
        expect: { code: p === 'stripe' ? stripe : 'SIGNATURE_INVALID' },
      })),
    ),
    { name: 'slack: a timestamp with CR LF', request: withHeaders('slack', { 'x-slack-request-timestamp': `${now}\r\n` }), expect: { code: 'TIMESTAMP_INVALID' } },
    { name: 'logistics: a webhook-id with a NUL (signed as sent)', request: withHeaders('logistics', {}, { id: 'msg\u0000_1' }), expect: { stored: 'accepted', topic: 'shipments.updated' } },
    { name: 'headers named like Object.prototype members', request: withHeaders('crm', { constructor: 'x', hasownproperty: 'y', tostring: 'z', valueof: '1' }), expect: { stored: 'accepted', topic: 'leads.created' } },
    { name: 'a header named constructor, unsigned', request: post('crm', body('crm'), { 'content-type': 'application/json', constructor: 'x' }), expect: { code: 'SIGNATURE_MISSING' } },
  ];
}

export function headerCases(): { group: string; cases: HostileCase[] }[] {
  return [
    { group: 'duplicated headers', cases: duplicated() },
    { group: 'oversized headers', cases: oversized() },
    { group: 'control characters in headers', cases: control() },
  ];
}
