/** Configuration-time behaviour: what createVerifier/signRequest refuse, and the presets. */
import {
  createVerifier,
  SCHEME_PRESETS,
  signRequest,
  type HmacSchemeConfig,
  type SchemeConfig,
} from '@app/webhooks';
import { BODY, GENERIC_SHA512, NOW } from './scheme-cases';

const hmac = (overrides: Partial<HmacSchemeConfig>): SchemeConfig => ({ ...SCHEME_PRESETS.crm, ...overrides });

describe('createVerifier refuses unusable configuration', () => {
  it.each([
    { what: 'no secrets (hmac)', config: SCHEME_PRESETS.github, secrets: [], message: /at least one secret/ },
    { what: 'no secrets (stripe)', config: SCHEME_PRESETS.stripe, secrets: [], message: /at least one secret/ },
    { what: 'no secrets (standard-webhooks)', config: SCHEME_PRESETS.standardWebhooks, secrets: [], message: /at least one secret/ },
    { what: 'an empty secret among valid ones', config: SCHEME_PRESETS.crm, secrets: ['ok', ''], message: /secret #2 is empty/ },
    { what: 'standard-webhooks secret not base64', config: SCHEME_PRESETS.standardWebhooks, secrets: ['whsec_not*base64!'], message: /not valid base64/ },
    { what: 'standard-webhooks secret of bad length', config: SCHEME_PRESETS.standardWebhooks, secrets: ['whsec_abc'], message: /not valid base64/ },
    { what: 'standard-webhooks secret that is only the prefix', config: SCHEME_PRESETS.standardWebhooks, secrets: ['whsec_'], message: /not valid base64/ },
    { what: 'unknown algorithm', config: hmac({ algorithm: 'md5' as never }), secrets: ['s'], message: /algorithm/ },
    { what: 'unknown encoding', config: hmac({ encoding: 'base32' as never }), secrets: ['s'], message: /encoding/ },
    { what: 'empty header name', config: hmac({ header: '' }), secrets: ['s'], message: /header/ },
    { what: 'template without {body}', config: hmac({ signedContent: 'v0:' }), secrets: ['s'], message: /\{body\}/ },
    { what: 'template with a typo', config: hmac({ signedContent: '{timstamp}.{body}' }), secrets: ['s'], message: /unknown placeholder/ },
    { what: '{timestamp} without timestampHeader', config: hmac({ signedContent: '{timestamp}.{body}' }), secrets: ['s'], message: /timestampHeader/ },
    { what: 'timestampHeader that is not signed', config: hmac({ timestampHeader: 'x-ts' }), secrets: ['s'], message: /timestampHeader/ },
    { what: 'negative tolerance', config: { type: 'stripe', toleranceSeconds: -1 } as const, secrets: ['s'], message: /toleranceSeconds/ },
    { what: 'NaN tolerance', config: hmac({ toleranceSeconds: NaN }), secrets: ['s'], message: /toleranceSeconds/ },
    { what: 'unknown scheme type', config: { type: 'hmac-md5' } as unknown as SchemeConfig, secrets: ['s'], message: /unknown signature scheme/ },
  ])('$what', ({ config, secrets, message }) => {
    expect(() => createVerifier(config, secrets)).toThrow(message);
  });

  it('never puts a secret in the error message', () => {
    const secret = 'whsec_sup3r-s3cret!';
    expect(() => createVerifier(SCHEME_PRESETS.standardWebhooks, [secret])).toThrow(/^(?!.*sup3r)/);
  });
});

describe("scheme 'none'", () => {
  it('accepts anything, needs no secret, and signs nothing', () => {
    const verifier = createVerifier({ type: 'none' }, []);
    expect(verifier.scheme).toBe('none');
    expect(verifier.verify({ rawBody: Buffer.alloc(0), headers: { 'x-anything': ['a', 'b'] }, nowMs: NaN })).toEqual({ ok: true });
    expect(signRequest({ type: 'none' }, '', BODY, NOW)).toEqual({});
  });
});

describe('verifier', () => {
  it('reports its scheme type', () => {
    expect(createVerifier(SCHEME_PRESETS.slack, ['s']).scheme).toBe('hmac');
    expect(createVerifier(SCHEME_PRESETS.stripe, ['s']).scheme).toBe('stripe');
    expect(createVerifier(SCHEME_PRESETS.standardWebhooks, ['c2VjcmV0']).scheme).toBe('standard-webhooks');
  });

  it('keeps the secrets it was given, even if the caller later changes its array', () => {
    const secrets = ['current'];
    const verifier = createVerifier(SCHEME_PRESETS.crm, secrets);
    secrets[0] = 'attacker';
    const headers = signRequest(SCHEME_PRESETS.crm, 'current', BODY, NOW);
    expect(verifier.verify({ rawBody: BODY, headers, nowMs: NOW })).toEqual({ ok: true });
  });

  it.each([
    { what: 'a body that is not a Buffer', input: { rawBody: { toJSON: 1 }, headers: { 'x-crm-signature': 'ab'.repeat(32) }, nowMs: NOW } },
    { what: 'headers that are null', input: { rawBody: BODY, headers: null, nowMs: NOW } },
  ])('fails closed, without throwing, on $what (JavaScript callers)', ({ input }) => {
    const verify = () => createVerifier(SCHEME_PRESETS.crm, ['s']).verify(input as never);
    expect(verify()).toEqual({ ok: false, reason: 'malformed_signature' });
  });
});

describe('signRequest', () => {
  it('returns lower-case header names for a mixed-case config', () => {
    expect(Object.keys(signRequest(GENERIC_SHA512, 's', BODY, NOW)).sort()).toEqual(['x-acme-signature', 'x-acme-timestamp']);
  });

  it.each([
    { what: 'standard-webhooks without opts.id', run: () => signRequest(SCHEME_PRESETS.standardWebhooks, 'c2VjcmV0', BODY, NOW), message: /opts\.id/ },
    { what: 'an empty secret', run: () => signRequest(SCHEME_PRESETS.github, '', BODY, NOW), message: /empty/ },
    { what: 'a NaN clock', run: () => signRequest(SCHEME_PRESETS.slack, 's', BODY, NaN), message: /nowMs/ },
  ])('throws on $what', ({ run, message }) => {
    expect(run).toThrow(message);
  });
});

describe('SCHEME_PRESETS', () => {
  it('match the providers', () => {
    expect(SCHEME_PRESETS).toEqual({
      crm: { type: 'hmac', header: 'x-crm-signature', algorithm: 'sha256', encoding: 'hex' },
      shopify: { type: 'hmac', header: 'x-shopify-hmac-sha256', algorithm: 'sha256', encoding: 'base64' },
      github: { type: 'hmac', header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
      slack: {
        type: 'hmac',
        header: 'x-slack-signature',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'v0=',
        timestampHeader: 'x-slack-request-timestamp',
        toleranceSeconds: 300,
        signedContent: 'v0:{timestamp}:{body}',
      },
      stripe: { type: 'stripe', toleranceSeconds: 300 },
      standardWebhooks: { type: 'standard-webhooks', toleranceSeconds: 300 },
    });
  });

  it('cannot be changed by one importer for everyone', () => {
    expect(Object.isFrozen(SCHEME_PRESETS)).toBe(true);
    expect(Object.values(SCHEME_PRESETS).every((preset) => Object.isFrozen(preset))).toBe(true);
  });
});
