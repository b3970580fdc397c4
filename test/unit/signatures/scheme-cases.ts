/** Shared fixtures: one entry per scheme, with the knowledge needed to mangle its headers. */
import {
  createVerifier,
  SCHEME_PRESETS,
  signRequest,
  type Headers,
  type HmacSchemeConfig,
  type SchemeConfig,
  type VerifyResult,
} from '@app/webhooks';

export const NOW = 1_700_000_000_000;
export const BODY = Buffer.from('{"id":"evt_1","amount":42}');
export const MESSAGE_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

export interface SchemeCase {
  name: string;
  config: SchemeConfig;
  /** [current, previous]: both valid during a rotation. */
  secrets: readonly [string, string];
  wrongSecret: string;
  signatureHeader: string;
  encoding: 'hex' | 'base64';
  /** Rewrites the digest text inside a signature header value. */
  editDigest: (value: string, edit: (digest: string) => string) => string;
  /** The value with the scheme's prefix/version marker removed; absent when the scheme has none. */
  withoutPrefix?: (value: string) => string;
  /** Present when the scheme carries a timestamp. */
  timestamp?: {
    toleranceSeconds: number;
    set: (headers: Record<string, string>, text: string) => Record<string, string>;
    remove: (headers: Record<string, string>) => Record<string, string>;
  };
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

function hmacCase(name: string, config: HmacSchemeConfig, secrets: readonly [string, string]): SchemeCase {
  const header = config.header.toLowerCase();
  const prefix = config.prefix ?? '';
  const tsHeader = config.timestampHeader?.toLowerCase();
  return {
    name,
    config,
    secrets,
    wrongSecret: 'not-the-secret',
    signatureHeader: header,
    encoding: config.encoding,
    editDigest: (value, edit) => prefix + edit(value.slice(prefix.length)),
    withoutPrefix: prefix === '' ? undefined : (value) => value.slice(prefix.length),
    timestamp:
      tsHeader === undefined
        ? undefined
        : {
            toleranceSeconds: config.toleranceSeconds ?? 300,
            set: (headers, text) => ({ ...headers, [tsHeader]: text }),
            remove: (headers) => without(headers, tsHeader),
          },
  };
}

/** The generic variant: everything non-default at once, with a mixed-case header name in config. */
export const GENERIC_SHA512: HmacSchemeConfig = {
  type: 'hmac',
  header: 'X-Acme-Signature',
  algorithm: 'sha512',
  encoding: 'base64',
  prefix: 'sha512=',
  timestampHeader: 'X-Acme-Timestamp',
  toleranceSeconds: 60,
  signedContent: '{timestamp}.{body}',
};

const SW_SECRETS = [
  'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  Buffer.from('previous-standard-secret').toString('base64'),
] as const;

export const SCHEME_CASES: readonly SchemeCase[] = [
  hmacCase('crm', SCHEME_PRESETS.crm, ['crm-secret', 'crm-old-secret']),
  hmacCase('shopify', SCHEME_PRESETS.shopify, ['shpss_current', 'shpss_previous']),
  hmacCase('github', SCHEME_PRESETS.github, ['gh-current', 'gh-previous']),
  hmacCase('slack', SCHEME_PRESETS.slack, ['slack-current', 'slack-previous']),
  hmacCase('generic sha512/base64/prefix/template', GENERIC_SHA512, ['acme-current', 'acme-previous']),
  {
    name: 'stripe',
    config: SCHEME_PRESETS.stripe,
    secrets: ['whsec_current', 'whsec_previous'],
    wrongSecret: 'whsec_wrong',
    signatureHeader: 'stripe-signature',
    encoding: 'hex',
    editDigest: (value, edit) => value.replace(/v1=([^,]*)/, (_match, digest: string) => `v1=${edit(digest)}`),
    withoutPrefix: (value) => value.replace('v1=', ''),
    timestamp: {
      toleranceSeconds: 300,
      set: (headers, text) => ({ ...headers, 'stripe-signature': headers['stripe-signature'].replace(/t=[^,]*/, `t=${text}`) }),
      remove: (headers) => ({ ...headers, 'stripe-signature': headers['stripe-signature'].replace(/t=[^,]*,/, '') }),
    },
  },
  {
    name: 'standard-webhooks',
    config: SCHEME_PRESETS.standardWebhooks,
    secrets: SW_SECRETS,
    wrongSecret: Buffer.from('some-other-secret-bytes!').toString('base64'),
    signatureHeader: 'webhook-signature',
    encoding: 'base64',
    editDigest: (value, edit) => `v1,${edit(value.slice('v1,'.length))}`,
    withoutPrefix: (value) => value.slice('v1,'.length),
    timestamp: {
      toleranceSeconds: 300,
      set: (headers, text) => ({ ...headers, 'webhook-timestamp': text }),
      remove: (headers) => without(headers, 'webhook-timestamp'),
    },
  },
];

export function sign(c: SchemeCase, secret = c.secrets[0], body = BODY, at = NOW): Record<string, string> {
  return signRequest(c.config, secret, body, at, { id: MESSAGE_ID });
}

export function verify(
  c: SchemeCase,
  headers: Headers,
  { body = BODY, nowMs = NOW, secrets = [c.secrets[0]] }: { body?: Buffer; nowMs?: number; secrets?: string[] } = {},
): VerifyResult {
  return createVerifier(c.config, secrets).verify({ rawBody: body, headers, nowMs });
}
