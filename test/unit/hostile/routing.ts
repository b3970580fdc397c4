import type { ErrorCode } from '@app/common';
import { SAMPLES, signedFor, type HostileCase, type HostileRequest } from '../../support/hostile';

/** Unknown providers and path tricks, wrong methods, content-type tricks and query strings. */

const lead = SAMPLES.crm.body;
const crmSigned = signedFor('crm', lead);
const to = (url: string, headers = crmSigned): HostileRequest => ({ url, body: lead, headers });

/** Names no provider has. Every request carries a valid CRM signature: it must not route anywhere. */
export const UNKNOWN_NAMES = [
  '..%2Fcrm',
  'CRM',
  'Crm',
  'crm%00',
  'crm%20',
  '%20crm',
  'crm%2F',
  'crm.',
  'crm;x=1',
  'crm%0d%0aX-Injected:%201',
  'a'.repeat(63),
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(10_000),
  encodeURIComponent('crм'), // Cyrillic em
  encodeURIComponent('\u202ecrm'),
  encodeURIComponent('ｃｒｍ'),
  'cr%E2%80%8Bm', // zero-width space
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'valueOf',
];

export function routingCases(): HostileCase[] {
  const cases: HostileCase[] = UNKNOWN_NAMES.map((n) => ({ name: `unknown provider /webhooks/${n.slice(0, 40)}`, request: to(`/webhooks/${n}`), expect: { code: 'UNKNOWN_PROVIDER' } }));
  const more: [string, string, ErrorCode | 'accepted'][] = [
    ['a lone % in the name', '/webhooks/crm%', 'BAD_REQUEST'],
    ['an invalid %-escape', '/webhooks/%zz', 'BAD_REQUEST'],
    ['a truncated UTF-8 %-escape', '/webhooks/%E0%A4%A', 'BAD_REQUEST'],
    ['a bad %-escape on the health route', '/health/live%', 'BAD_REQUEST'],
    ['no provider segment', '/webhooks', 'NOT_FOUND'],
    ['an empty provider segment', '/webhooks/', 'NOT_FOUND'],
    ['a trailing slash', '/webhooks/crm/', 'NOT_FOUND'],
    ['an extra segment', '/webhooks/crm/extra', 'NOT_FOUND'],
    ['a double slash', '/webhooks//crm', 'NOT_FOUND'],
    ['an upper-case prefix', '/WEBHOOKS/crm', 'NOT_FOUND'],
    ['a %-encoded "c" (the same provider, signed)', '/webhooks/%63rm', 'accepted'],
    ['a query string', '/webhooks/crm?x=1', 'accepted'],
    ['a query naming another provider', '/webhooks/crm?provider=shop', 'accepted'],
    ['a prototype-polluting query', '/webhooks/crm?__proto__[polluted]=1&constructor[prototype][polluted]=1&__proto__.polluted=1', 'accepted'],
    ['an invalid %-escape in the query', '/webhooks/crm?a=%zz', 'accepted'],
    ['an 8 KB query', `/webhooks/crm?q=${'x'.repeat(8192)}`, 'accepted'],
  ];
  for (const [what, url, expected] of more) {
    cases.push({ name: what, request: to(url), expect: expected === 'accepted' ? { stored: 'accepted', topic: 'leads.created' } : { code: expected } });
  }
  cases.push(
    { name: 'a %-encoded "c", unsigned', request: to('/webhooks/%63rm', { 'content-type': 'application/json' }), expect: { code: 'SIGNATURE_MISSING' } },
    { name: 'a query string, unsigned', request: to('/webhooks/crm?x=1', { 'content-type': 'application/json' }), expect: { code: 'SIGNATURE_MISSING' } },
  );
  return cases;
}

export function methodCases(): HostileCase[] {
  const methods = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  return [
    ...methods.map((method): HostileCase => ({
      name: `${method} /webhooks/crm with a signed body`,
      request: { method, url: '/webhooks/crm', headers: crmSigned, body: method === 'GET' || method === 'HEAD' ? undefined : lead },
      expect: { code: 'METHOD_NOT_ALLOWED' },
    })),
    { name: 'GET /webhooks/nope', request: { method: 'GET', url: '/webhooks/nope' }, expect: { code: 'METHOD_NOT_ALLOWED' } },
  ];
}

/** Any media type matching application/json or application/*+json (any case, any parameters) is read as UTF-8 JSON. */
export function contentTypeCases(): HostileCase[] {
  const types: [string, string | undefined, ErrorCode | 'accepted'][] = [
    ['a charset=utf-16 parameter on UTF-8 bytes (the parameter has no meaning for JSON)', 'application/json; charset=utf-16', 'accepted'],
    ['text/plain', 'text/plain', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form', 'application/x-www-form-urlencoded', 'UNSUPPORTED_MEDIA_TYPE'],
    ['multipart', 'multipart/form-data; boundary=x', 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/jsonx', 'application/jsonx', 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json-seq', 'application/json-seq', 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', undefined, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an empty content type', '', 'UNSUPPORTED_MEDIA_TYPE'],
    ['APPLICATION/JSON', 'APPLICATION/JSON', 'accepted'],
    ['application/cloudevents+json', 'application/cloudevents+json', 'accepted'],
    ['application/vnd.api+json', 'application/vnd.api+json', 'accepted'],
    ['a bare ";"', 'application/json;', 'accepted'],
    ['two media types', 'application/json, text/plain', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a CR LF and a header after', 'application/json\r\nX-Injected: 1', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a NUL after', 'application/json\u0000', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a leading space (Node trims it; inject does not)', ' application/json', 'UNSUPPORTED_MEDIA_TYPE'],
    ['a 10 KB parameter', `application/json; x=${'y'.repeat(10_240)}`, 'accepted'],
  ];
  return types.flatMap(([what, type, expected]): HostileCase[] => {
    const headers = { ...crmSigned };
    delete headers['content-type'];
    if (type !== undefined) headers['content-type'] = type;
    const signedCase: HostileCase = {
      name: `content type: ${what}`,
      request: { url: '/webhooks/crm', body: lead, headers },
      expect: expected === 'accepted' ? { stored: 'accepted', topic: 'leads.created' } : { code: expected },
    };
    const unsigned: HostileCase = {
      name: `content type: ${what}, unsigned`,
      request: { url: '/webhooks/crm', body: lead, headers: type === undefined ? {} : { 'content-type': type } },
      expect: { code: expected === 'accepted' ? 'SIGNATURE_MISSING' : expected },
    };
    return [signedCase, unsigned];
  });
}
