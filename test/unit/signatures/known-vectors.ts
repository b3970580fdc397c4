/**
 * Vectors computed outside this code (command in each comment), several of them
 * the examples published in the providers' own docs. They pin the wire format:
 * a verifier and signer that agree with each other but not with the provider fail on them.
 */
import { SCHEME_PRESETS, type Headers, type SchemeConfig } from '@app/webhooks';
import { GENERIC_SHA512 } from './scheme-cases';

export interface KnownVector {
  name: string;
  config: SchemeConfig;
  secret: string;
  body: Buffer;
  headers: Headers;
  nowMs: number;
}
const crmBody = Buffer.from('{"id":"evt_1","amount":42}');
const slackBody = Buffer.from(
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
    '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
    '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
    '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
);
export const KNOWN_VECTORS: readonly KnownVector[] = [
  {
    // printf '%s' '{"id":"evt_1","amount":42}' | openssl dgst -sha256 -hmac 'crm-secret'
    name: 'crm (openssl)',
    config: SCHEME_PRESETS.crm,
    secret: 'crm-secret',
    body: crmBody,
    headers: { 'x-crm-signature': '3648456f6254f709fad6837215405944b315206276c61f8fc070d488c681a734' },
    nowMs: 0,
  },
  {
    // printf '%s' '{"id":"evt_1","amount":42}' | openssl dgst -sha256 -hmac 'shpss_secret' -binary | base64
    name: 'shopify (openssl)',
    config: SCHEME_PRESETS.shopify,
    secret: 'shpss_secret',
    body: crmBody,
    headers: { 'x-shopify-hmac-sha256': 'toSK8HjSHq17Jkx4mEBB963IicgskHbojpMjD7KjZ84=' },
    nowMs: 0,
  },
  {
    // GitHub docs example; printf '%s' 'Hello, World!' | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
    name: 'github (docs example)',
    config: SCHEME_PRESETS.github,
    secret: "It's a Secret to Everybody",
    body: Buffer.from('Hello, World!'),
    headers: { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
    nowMs: 0,
  },
  {
    // Slack docs example; printf '%s' "v0:1531420618:$BODY" | openssl dgst -sha256 -hmac '8f742231b10e8888abcd99yyyzzz85a5'
    name: 'slack (docs example)',
    config: SCHEME_PRESETS.slack,
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    body: slackBody,
    headers: {
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    },
    nowMs: 1531420618_000,
  },
  {
    // printf '%s' '1700000000.{"id":"evt_1","object":"event"}' | openssl dgst -sha256 -hmac 'whsec_test_secret'
    name: 'stripe (openssl)',
    config: SCHEME_PRESETS.stripe,
    secret: 'whsec_test_secret',
    body: Buffer.from('{"id":"evt_1","object":"event"}'),
    headers: { 'stripe-signature': 't=1700000000,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd' },
    nowMs: 1700000000_000,
  },
  {
    // Standard Webhooks / Svix docs example; printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
    //   openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf '%s' MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 256) -binary | base64
    name: 'standard-webhooks (spec example)',
    config: SCHEME_PRESETS.standardWebhooks,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: Buffer.from('{"test": 2432232314}'),
    headers: {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
    nowMs: 1614265330_000,
  },
  {
    // Body is not valid UTF-8 on purpose: proves the signed content is raw bytes.
    // printf '1700000000.\xff\xfe{"a":1}' | openssl dgst -sha512 -hmac 'acme-secret' -binary | base64 -w0
    name: 'generic sha512/base64 template (openssl, binary body)',
    config: GENERIC_SHA512,
    secret: 'acme-secret',
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}')]),
    headers: {
      'x-acme-signature':
        'sha512=ydA979A6aEj30hS4NGBlsLkz/WS1LpBvPhp6c8pePUybK6OG/W3w7OAOblF45qy7ktXuGId3o/jgSLdUOCImQQ==',
      'x-acme-timestamp': '1700000000',
    },
    nowMs: 1700000000_000,
  },
];
