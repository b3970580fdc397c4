import type { OutboundRecord } from '@app/kafka';
import { kafkaHeader, post, quarantined, SAMPLES, signedFor, type HostileCase, type ProviderName } from '../../support/hostile';

/**
 * JSON with `__proto__` / `constructor` keys. JSON.parse makes them own properties; the danger is code
 * that later copies or merges them (class-transformer, spreads). The suite checks after every test that
 * `({}).polluted` is still undefined.
 */

const POISON = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}';
const poisoned = (json: Buffer): Buffer => Buffer.from(json.toString().replace('{', `{${POISON},`));
const signedPost = (p: ProviderName, body: Buffer) => post(p, body, signedFor(p, body));

/** The record must not carry the poison anywhere but inside a quarantined copy of the body. */
const clean = (record: OutboundRecord): void => {
  expect(String(record.message.value)).not.toContain('polluted');
};

const cannotValidate = (record: OutboundRecord): void => {
  // Quarantined as invalid: flat contracts report the bad field, nested ones that class-transformer cannot
  // even read report "cannot be validated". Either way the event is kept, never a 500.
  expect(quarantined(record).reason).toMatch(/^invalid \w+: /);
};

export function prototypeCases(): HostileCase[] {
  const lead = Buffer.from(`{${POISON},"id":"p-1","type":"lead.created","data":{${POISON},"id":"l1","email":"ada@example.com"}}`);
  const nameIsPoison = Buffer.from(`{"id":"p-2","type":"lead.created","data":{"email":"ada@example.com","first_name":{${POISON}}}}`);
  const inheritedIdAndType = Buffer.from('{"__proto__":{"id":"evil","type":"lead.created"}}');
  const line = Buffer.from(SAMPLES.shop.body.toString().replace('"line_items": [', `"line_items": [{${POISON}},`));
  const quantity = Buffer.from(SAMPLES.shop.body.toString().replace(/"quantity":\s*2/, '"quantity":{"constructor":1}'));
  const sequence = Buffer.from(SAMPLES.logistics.body.toString().replace('"sequence": 2', `"sequence":{${POISON}}`));
  const challenge = Buffer.from(`{"type":"url_verification","challenge":{${POISON}}}`);
  return [
    { name: 'crm: poison at the top and in data, still a valid lead', request: signedPost('crm', lead), expect: { stored: 'accepted', topic: 'leads.created', check: clean } },
    {
      name: 'crm: id and type only under __proto__ are not read',
      request: signedPost('crm', inheritedIdAndType),
      expect: {
        stored: 'quarantined',
        check: (r) => expect([kafkaHeader(r, 'ce_id'), kafkaHeader(r, 'ce_type')]).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/) as string, 'crm.unknown']),
      },
    },
    { name: 'shop: a poisoned order line', request: signedPost('shop', line), expect: { stored: 'quarantined' } },
    // class-transformer calls `new value.constructor()` on nested objects: this used to be a 500.
    { name: 'crm: a first_name object with a "constructor" key (was a 500)', request: signedPost('crm', nameIsPoison), expect: { stored: 'quarantined', check: cannotValidate } },
    { name: 'shop: a quantity object with a "constructor" key (was a 500)', request: signedPost('shop', quantity), expect: { stored: 'quarantined', check: cannotValidate } },
    { name: 'logistics: a poisoned sequence object (was a 500)', request: signedPost('logistics', sequence), expect: { stored: 'quarantined', check: cannotValidate } },
    ...(['logistics', 'github', 'stripe', 'slack'] as const).map(
      (p): HostileCase => ({ name: `${p}: poison at the top of a real sample`, request: signedPost(p, poisoned(SAMPLES[p].body)), expect: { stored: 'accepted', topic: SAMPLES[p].topic } }),
    ),
    { name: 'slack: a url_verification whose challenge is a poisoned object', request: signedPost('slack', challenge), expect: { code: 'BAD_REQUEST' } },
    { name: 'unsigned poison', request: post('crm', lead, { 'content-type': 'application/json' }), expect: { code: 'SIGNATURE_MISSING' } },
  ];
}
