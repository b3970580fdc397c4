import type { ErrorCode } from '@app/common';
import { post, PROVIDERS, SAMPLES, SIGNATURE_HEADER, signedAt, signedFor, type HeaderMap, type HostileCase, type ProviderName } from '../../support/hostile';

/** Signatures of the wrong length and alphabet for every scheme, and hostile timestamps for the timed ones. */

const body = (p: ProviderName) => SAMPLES[p].body;
/**
 * Signed once per provider: the variants and the rest of the headers (timestamps) must come from the same
 * signing, or a second boundary between two signings would make the "accepted" variants flaky.
 */
const SIGNED = Object.fromEntries(PROVIDERS.map((p) => [p, signedFor(p, body(p))])) as Record<ProviderName, HeaderMap>;
const header = (p: ProviderName): string => String(SIGNED[p][SIGNATURE_HEADER[p]]);
const hexToB64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const b64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
const ZEROS = '0'.repeat(64);

type Variant = [what: string, value: string, expected: ErrorCode | 'accepted'];

function variants(): Record<ProviderName, Variant[]> {
  const crm = header('crm');
  const shop = header('shop');
  const github = header('github').slice('sha256='.length);
  const slack = header('slack').slice('v0='.length);
  const [t, v1] = header('stripe').split(',');
  const stripe = v1.slice('v1='.length);
  const sw = header('logistics').slice('v1,'.length);
  const common = (hex: string): Variant[] => [
    ['empty', '', 'SIGNATURE_MISSING'],
    ['one hex digit short', hex.slice(0, -1), 'SIGNATURE_INVALID'],
    ['one hex digit long', `${hex}0`, 'SIGNATURE_INVALID'],
    ['a non-hex letter', `${hex.slice(0, -1)}g`, 'SIGNATURE_INVALID'],
    ['the digest in base64', hexToB64(hex), 'SIGNATURE_INVALID'],
    ['64 zeros', ZEROS, 'SIGNATURE_INVALID'],
    ['full-width digits', hex.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'SIGNATURE_INVALID'],
  ];
  return {
    crm: [
      ...common(crm),
      ['a sha256= prefix', `sha256=${crm}`, 'SIGNATURE_INVALID'],
      ['upper-case hex of the right digest (same bytes)', crm.toUpperCase(), 'accepted'],
    ],
    shop: [
      ['empty', '', 'SIGNATURE_MISSING'],
      ['the digest in hex', b64ToHex(shop), 'SIGNATURE_INVALID'],
      ['no padding', shop.replace(/=+$/, ''), 'SIGNATURE_INVALID'],
      ['extra padding', `${shop}=`, 'SIGNATURE_INVALID'],
      ['the base64url alphabet', `-_${shop.slice(2)}`, 'SIGNATURE_INVALID'],
      ['a line break inside', `${shop.slice(0, 20)}\n${shop.slice(20)}`, 'SIGNATURE_INVALID'],
      ['31 bytes', Buffer.alloc(31, 1).toString('base64'), 'SIGNATURE_INVALID'],
      ['a sha256= prefix', `sha256=${shop}`, 'SIGNATURE_INVALID'],
    ],
    github: [
      ...common(github).map(([w, v, c]): Variant => [w, v === '' ? '' : `sha256=${v}`, c]),
      ['no sha256= prefix', github, 'SIGNATURE_INVALID'],
      ['a sha1= digest', `sha1=${github.slice(0, 40)}`, 'SIGNATURE_INVALID'],
      ['an upper-case prefix', `SHA256=${github}`, 'SIGNATURE_INVALID'],
      ['the prefix alone', 'sha256=', 'SIGNATURE_INVALID'],
      ['two digests', `sha256=${github},sha256=${github}`, 'SIGNATURE_INVALID'],
    ],
    slack: [
      ...common(slack).map(([w, v, c]): Variant => [w, v === '' ? '' : `v0=${v}`, c]),
      ['a v1= prefix', `v1=${slack}`, 'SIGNATURE_INVALID'],
      ['no prefix', slack, 'SIGNATURE_INVALID'],
    ],
    stripe: [
      ...common(stripe).map(([w, v, c]): Variant => [w, v === '' ? '' : `${t},v1=${v}`, c]),
      ['no t=', `v1=${stripe}`, 'TIMESTAMP_INVALID'],
      ['an empty t=', `t=,v1=${stripe}`, 'TIMESTAMP_INVALID'],
      ['no v1=', t, 'SIGNATURE_INVALID'],
      ['t= twice', `${t},${t},v1=${stripe}`, 'SIGNATURE_INVALID'],
      ['a space after the comma', `${t}, v1=${stripe}`, 'SIGNATURE_INVALID'],
      ['only a v0=', `${t},v0=${stripe}`, 'SIGNATURE_INVALID'],
      ['no key=value at all', 'garbage', 'SIGNATURE_INVALID'],
      ['bare separators', '=,=', 'SIGNATURE_INVALID'],
      ['a second, wrong v1 (rotation)', `${t},v1=${ZEROS},v1=${stripe}`, 'accepted'],
    ],
    logistics: [
      ['empty', '', 'SIGNATURE_MISSING'],
      ['the digest in hex', `v1,${b64ToHex(sw)}`, 'SIGNATURE_INVALID'],
      ['v1, alone', 'v1,', 'SIGNATURE_INVALID'],
      ['only a v2', `v2,${sw}`, 'SIGNATURE_INVALID'],
      ['no comma', `v1${sw}`, 'SIGNATURE_INVALID'],
      ['no version', `,${sw}`, 'SIGNATURE_INVALID'],
      ['a trailing space', `v1,${sw} `, 'SIGNATURE_INVALID'],
      ['no padding', `v1,${sw.replace(/=+$/, '')}`, 'SIGNATURE_INVALID'],
      ['only a v1a', `v1a,${sw}`, 'SIGNATURE_INVALID'],
      ['an unknown version before the right v1', `v1a,xyz v1,${sw}`, 'accepted'],
    ],
  };
}

export function signatureCases(): HostileCase[] {
  return Object.entries(variants()).flatMap(([p, list]) =>
    list.map(([what, value, expected]): HostileCase => {
      const name = p as ProviderName;
      const request = post(name, body(name), { ...SIGNED[name], [SIGNATURE_HEADER[name]]: value });
      return {
        name: `${name}: signature with ${what}`,
        request,
        expect: expected === 'accepted' ? { stored: 'accepted', topic: SAMPLES[name].topic } : { code: expected },
      };
    }),
  );
}

export function timestampCases(): HostileCase[] {
  const now = Math.floor(Date.now() / 1000);
  const list: [string, string, ErrorCode | 'accepted'][] = [
    ['now (control)', String(now), 'accepted'],
    ['an hour ago', String(now - 3600), 'TIMESTAMP_STALE'],
    ['an hour ahead', String(now + 3600), 'TIMESTAMP_STALE'],
    ['zero', '0', 'TIMESTAMP_STALE'],
    ['12 nines (year 33658)', '9'.repeat(12), 'TIMESTAMP_STALE'],
    ['negative', String(-now), 'TIMESTAMP_INVALID'],
    ['minus one', '-1', 'TIMESTAMP_INVALID'],
    ['with decimals', `${String(now)}.5`, 'TIMESTAMP_INVALID'],
    ['in exponent form', `${(now / 1e9).toFixed(9)}e9`, 'TIMESTAMP_INVALID'],
    ['20 digits', '9'.repeat(20), 'TIMESTAMP_INVALID'],
    ['with a plus sign', `+${String(now)}`, 'TIMESTAMP_INVALID'],
    ['in hex', `0x${now.toString(16)}`, 'TIMESTAMP_INVALID'],
    ['with a trailing space', `${String(now)} `, 'TIMESTAMP_INVALID'],
    ['in Arabic-Indic digits', String(now).replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d))), 'TIMESTAMP_INVALID'],
    ['in milliseconds', String(now * 1000), 'TIMESTAMP_INVALID'],
    ['Infinity', 'Infinity', 'TIMESTAMP_INVALID'],
  ];
  return (['slack', 'stripe', 'logistics'] as const).flatMap((p) =>
    list.map(([what, ts, expected]): HostileCase => ({
      name: `${p}: timestamp ${what}, signed over it`,
      request: post(p, body(p), signedAt(p, body(p), ts)),
      expect: expected === 'accepted' ? { stored: 'accepted', topic: SAMPLES[p].topic } : { code: expected },
    })),
  );
}
