import type { OutboundRecord } from '@app/kafka';
import { post, PROVIDERS, quarantined, SAMPLES, signedFor, type HostileCase } from '../../support/hostile';

/** Hostile bodies: truncated, oversized, empty, invalid UTF-8, BOMs, deep nesting, huge numbers. */

const MiB = 1024 * 1024;
const JSON_ONLY = { 'content-type': 'application/json' };
const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const nested = (depth: number, open: string, close: string, inner = ''): string => open.repeat(depth) + inner + close.repeat(depth);

function truncated(): HostileCase[] {
  return PROVIDERS.flatMap((p) => {
    const full = SAMPLES[p].body;
    const end = full.toString().trimEnd().length;
    return [1, Math.floor(end / 2), end - 1].flatMap((cut): HostileCase[] => {
      const part = full.subarray(0, cut);
      return [
        { name: `${p}: cut to ${String(cut)} bytes after signing`, request: post(p, part, signedFor(p, full)), expect: { code: 'SIGNATURE_INVALID' } },
        { name: `${p}: cut to ${String(cut)} bytes and signed so`, request: post(p, part, signedFor(p, part)), expect: { code: 'MALFORMED_JSON' } },
      ];
    });
  });
}

function sizes(): HostileCase[] {
  const over = Buffer.alloc(MiB + 1, 0x20);
  const lead = SAMPLES.crm.body;
  const exactly = Buffer.concat([lead, Buffer.alloc(MiB - lead.length, 0x20)]);
  const lying = (contentLength: string): HostileCase['request'] => post('crm', lead, { ...signedFor('crm', lead), 'content-length': contentLength });
  return [
    ...PROVIDERS.map((p): HostileCase => ({ name: `${p}: signed body 1 byte over 1 MiB`, request: post(p, over, signedFor(p, over)), expect: { code: 'PAYLOAD_TOO_LARGE' } })),
    { name: 'unsigned body 1 byte over 1 MiB', request: post('crm', over, JSON_ONLY), expect: { code: 'PAYLOAD_TOO_LARGE' } },
    { name: 'over 1 MiB to an unknown provider', request: post('nope', over, JSON_ONLY), expect: { code: 'PAYLOAD_TOO_LARGE' } },
    { name: '8 MiB body', request: post('crm', Buffer.alloc(8 * MiB, 0x5b), JSON_ONLY), expect: { code: 'PAYLOAD_TOO_LARGE' } },
    { name: 'signed body of exactly 1 MiB', request: post('crm', exactly, signedFor('crm', exactly)), expect: { stored: 'accepted', topic: 'leads.created' } },
    { name: 'Content-Length shorter than the body', request: lying('10'), expect: { code: 'BAD_REQUEST' } },
    { name: 'Content-Length longer than the body', request: lying(String(lead.length + 100)), expect: { code: 'BAD_REQUEST' } },
    { name: 'Content-Length of 10 MiB on a small body', request: lying(String(10 * MiB)), expect: { code: 'PAYLOAD_TOO_LARGE' } },
    { name: 'negative Content-Length', request: lying('-1'), expect: { code: 'BAD_REQUEST' } },
  ];
}

function empty(): HostileCase[] {
  const none = Buffer.alloc(0);
  return [
    ...PROVIDERS.map((p): HostileCase => ({ name: `${p}: empty body, signed`, request: post(p, none, signedFor(p, none)), expect: { code: 'MALFORMED_JSON' } })),
    { name: 'empty body, unsigned', request: post('crm', none, JSON_ONLY), expect: { code: 'SIGNATURE_MISSING' } },
    { name: 'no payload at all, no content type', request: { url: '/webhooks/crm' }, expect: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
    { name: 'whitespace only, signed', request: post('stripe', ' \n\t ', signedFor('stripe', Buffer.from(' \n\t '))), expect: { code: 'MALFORMED_JSON' } },
  ];
}

const BAD_UTF8: [string, number[]][] = [
  ['0xff', [0xff]],
  ['0xfe 0xff', [0xfe, 0xff]],
  ['an overlong "/"', [0xc0, 0xaf]],
  ['an overlong 3-byte NUL', [0xe0, 0x80, 0x80]],
  ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
  ['a code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['a lone continuation byte', [0x80]],
  ['a truncated 3-byte sequence', [0xe2, 0x82]],
  ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
];

function encodings(): HostileCase[] {
  const cases = BAD_UTF8.flatMap(([what, seq]): HostileCase[] => {
    const body = bytes('{"id":"', seq, '","type":"lead.created","data":{"email":"a@b.co"}}');
    return [
      { name: `${what} in a string, signed`, request: post('crm', body, signedFor('crm', body)), expect: { code: 'MALFORMED_JSON' } },
      { name: `${what} in a string, passthrough provider, signed`, request: post('github', body, signedFor('github', body)), expect: { code: 'MALFORMED_JSON' } },
      { name: `${what} in a string, unsigned`, request: post('crm', body, JSON_ONLY), expect: { code: 'SIGNATURE_MISSING' } },
    ];
  });
  const utf16 = Buffer.from(SAMPLES.stripe.body.toString(), 'utf16le');
  const utf16bom = Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]);
  const ct16 = { 'content-type': 'application/json; charset=utf-16' };
  cases.push(
    { name: 'UTF-16 JSON declared as utf-16, signed', request: post('stripe', utf16, signedFor('stripe', utf16, { headers: ct16 })), expect: { code: 'MALFORMED_JSON' } },
    { name: 'UTF-16 JSON with its BOM, signed', request: post('stripe', utf16bom, signedFor('stripe', utf16bom, { headers: ct16 })), expect: { code: 'MALFORMED_JSON' } },
  );
  // A BOM-prefixed body would pass through to consumers whose JSON.parse of the record value fails: refused.
  for (const p of PROVIDERS) {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), SAMPLES[p].body]);
    cases.push({ name: `${p}: UTF-8 BOM before the JSON, signed`, request: post(p, bom, signedFor(p, bom)), expect: { code: 'MALFORMED_JSON' } });
  }
  return cases;
}

/** Deep JSON: JSON.parse is iterative, but JSON.stringify and class-transformer recurse. */
function depth(): HostileCase[] {
  const arrays = Buffer.from(nested(100_000, '[', ']'));
  const objects = Buffer.from(nested(100_000, '{"a":', '}', '1'));
  const widest = Buffer.from(nested(MiB / 2 - 1, '[', ']'));
  const lead = (inner: string) => Buffer.from(`{"id":"deep-1","type":"lead.created","data":{"email":"ada@example.com","company":${inner}}}`);
  const shop = Buffer.from(SAMPLES.shop.body.toString().replace(/"quantity":\s*\d+/, `"quantity":${nested(50_000, '[', ']')}`));
  const keptAs = (record: OutboundRecord, reason: RegExp) => {
    const data = quarantined(record);
    expect(data.reason).toMatch(reason);
    expect(data.body !== null || typeof data.bodyText === 'string').toBe(true);
  };
  const signedDeep = (p: 'crm' | 'stripe' | 'github' | 'shop', body: Buffer) => post(p, body, signedFor(p, body));
  return [
    { name: '100k unclosed "[", signed', request: signedDeep('crm', Buffer.from('['.repeat(100_000))), expect: { code: 'MALFORMED_JSON' } },
    { name: '100k unclosed "[", unsigned', request: post('crm', '['.repeat(100_000), JSON_ONLY), expect: { code: 'SIGNATURE_MISSING' } },
    { name: '100k nested arrays, signed, quarantined (was a 500)', request: signedDeep('crm', arrays), expect: { stored: 'quarantined', check: (r) => keptAs(r, /no event type/) } },
    { name: '100k nested objects, signed, quarantined (was a 500)', request: signedDeep('crm', objects), expect: { stored: 'quarantined', check: (r) => keptAs(r, /no event type/) } },
    { name: '~512k nested arrays filling 1 MiB, quarantined', request: signedDeep('crm', widest), expect: { stored: 'quarantined', check: (r) => keptAs(r, /no event type/) } },
    { name: 'stripe: 100k nested arrays, quarantined', request: signedDeep('stripe', arrays), expect: { stored: 'quarantined' } },
    { name: 'github: 100k nested arrays, passed through', request: signedDeep('github', arrays), expect: { stored: 'accepted', topic: 'webhooks.github' } },
    { name: 'a lead whose company nests 3k deep (was a 500)', request: signedDeep('crm', lead(nested(3_000, '[', ']'))), expect: { stored: 'quarantined', check: (r) => keptAs(r, /invalid Lead/) } },
    { name: 'a lead whose company nests 100k deep (was a 500)', request: signedDeep('crm', lead(nested(100_000, '{"x":', '}', '1'))), expect: { stored: 'quarantined', check: (r) => keptAs(r, /invalid Lead/) } },
    { name: 'an order line quantity nested 50k deep (was a 500)', request: signedDeep('shop', shop), expect: { stored: 'quarantined', check: (r) => keptAs(r, /invalid Order/) } },
  ];
}

function numbers(): HostileCase[] {
  const lead = (size: string) => Buffer.from(`{"id":"n-1","type":"lead.created","data":{"email":"ada@example.com","company_size":${size}}}`);
  const digits = Buffer.from('9'.repeat(100_000));
  const signedCrm = (body: Buffer) => post('crm', body, signedFor('crm', body));
  return [
    { name: 'company_size 1e400 (Infinity)', request: signedCrm(lead('1e400')), expect: { stored: 'quarantined' } },
    { name: 'company_size -1e-400 (-0)', request: signedCrm(lead('-1e-400')), expect: { stored: 'quarantined' } },
    { name: 'company_size with 400 digits', request: signedCrm(lead('1'.repeat(400))), expect: { stored: 'quarantined' } },
    { name: 'company_size 1.5', request: signedCrm(lead('1.5')), expect: { stored: 'quarantined' } },
    { name: 'a 100k-digit number as the whole body, passed through', request: post('github', digits, signedFor('github', digits)), expect: { stored: 'accepted', topic: 'webhooks.github' } },
    { name: 'a 100k-digit id and type (not carried)', request: post('stripe', `{"id":${digits.toString()},"type":1e400}`, signedFor('stripe', Buffer.from(`{"id":${digits.toString()},"type":1e400}`))), expect: { stored: 'quarantined' } },
    { name: 'NaN is not JSON', request: signedCrm(lead('NaN')), expect: { code: 'MALFORMED_JSON' } },
  ];
}

export function bodyCases(): { group: string; cases: HostileCase[] }[] {
  return [
    { group: 'truncated bodies', cases: truncated() },
    { group: 'body sizes and lying lengths', cases: sizes() },
    { group: 'empty bodies', cases: empty() },
    { group: 'encodings', cases: encodings() },
    { group: 'deep nesting', cases: depth() },
    { group: 'huge numbers', cases: numbers() },
  ];
}
