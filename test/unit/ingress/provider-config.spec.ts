import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EnvReader } from '@app/common';
import { parseProviders, signRequest } from '@app/webhooks';
import { ingressWithFake } from '../../support/ingress';

const yaml = (providers: string) => `providers:\n${providers}`;
const billing = (extra = '', signature = '{ type: hmac, header: X-Billing-Signature, algorithm: sha512, encoding: base64, prefix: "v1=" }') => `
  billing:
    signature: ${signature}
    type: { body: event }
    events:
      "*": { topic: webhooks.billing }
${extra}`;

describe('providers config, checked at start-up', () => {
  const env = new EnvReader({ WEBHOOK_SECRET_BILLING: 's3cret' });

  it.each([
    ['a provider without its secret', billing(), new EnvReader({}), /WEBHOOK_SECRET_BILLING is required/],
    ['an unknown preset', billing('', '{ preset: paypal }'), env, /providers\.billing\.signature\.preset must be one of/],
    ['an unknown algorithm', billing('', '{ type: hmac, header: x, algorithm: md5 }'), env, /providers\.billing\.signature\.algorithm must be sha256 or sha512, got "md5"/],
    ['a template without {body}', billing('', '{ type: hmac, header: x, signedContent: "{timestamp}" }'), env, /signedContent must contain \{body\}/],
    ['a topic outside the registry', billing().replace('webhooks.billing', 'payments'), env, /events\.\*\.topic must be a registry topic or webhooks\.billing, got "payments"/],
    ['an unknown normalizer', billing().replace('{ topic: webhooks.billing }', '{ topic: webhooks.billing, normalize: magic }'), env, /normalize must be one of/],
    ['an unknown setting', billing('    retries: 3'), env, /providers\.billing\.retries is not a known setting/],
    ['a bad CIDR', billing('    allowFrom: [10.0.0.0/33]'), env, /allowFrom\[0\] must be an IP address or CIDR, got "10.0.0.0\/33"/],
    ['an unsigned provider not marked so', billing('', '{ type: none }'), env, /set unauthenticated: true/],
    ['not YAML at all', '{{{', env, /not valid YAML/],
  ])('refuses %s with a message naming the field', (_what, providers, e, message) => {
    const text = providers.startsWith('{') ? providers : yaml(providers);
    expect(() => parseProviders(text, e)).toThrow(ConfigError);
    expect(() => parseProviders(text, e)).toThrow(message);
  });

  it('accepts an unsigned provider that is explicitly marked unauthenticated', () => {
    const p = parseProviders(yaml(billing('    unauthenticated: true', '{ type: none }')), new EnvReader({}));
    expect(p.get('billing')?.verifier.verify({ rawBody: Buffer.from('{}'), headers: {}, nowMs: Date.now() })).toEqual({ ok: true });
  });
});

describe('a provider added by configuration only, with an address allowlist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'providers-'));
  const file = join(dir, 'providers.yaml');
  writeFileSync(file, yaml(billing('    allowFrom: [203.0.113.0/24, "::1"]')));
  const scheme = { type: 'hmac', header: 'x-billing-signature', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' } as const;
  const body = Buffer.from('{"event":"invoice.paid","id":"inv_1"}');
  const headers = { 'content-type': 'application/json', ...signRequest(scheme, 's3cret', body, Date.now()) };

  it('accepts from an allowed address when the proxy is trusted, and refuses others with 403', async () => {
    const { app, producer } = await ingressWithFake({ WEBHOOK_SECRET_BILLING: 's3cret' }, { bodyLimitBytes: 1 << 20, trustedProxies: ['127.0.0.1'] }, file);
    try {
      const allowed = await app.inject({ method: 'POST', url: '/webhooks/billing', payload: body, headers: { ...headers, 'x-forwarded-for': '203.0.113.9' } });
      expect(allowed.statusCode).toBe(202);
      expect(producer.records[0].topic).toBe('webhooks.billing');
      const denied = await app.inject({ method: 'POST', url: '/webhooks/billing', payload: body, headers: { ...headers, 'x-forwarded-for': '198.51.100.7' } });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({ error: { code: 'ADDRESS_NOT_ALLOWED', message: expect.any(String) as string } });
    } finally {
      await app.close();
    }
  });

  it('ignores X-Forwarded-For from an untrusted peer: the socket address decides', async () => {
    const { app } = await ingressWithFake({ WEBHOOK_SECRET_BILLING: 's3cret' }, { bodyLimitBytes: 1 << 20, trustedProxies: [] }, file);
    try {
      // inject's socket address is 127.0.0.1, which is not in the allowlist; the forged header must not help.
      const forged = await app.inject({ method: 'POST', url: '/webhooks/billing', payload: body, headers: { ...headers, 'x-forwarded-for': '203.0.113.9' } });
      expect(forged.statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });
});
