import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, createRegistry, EnvReader, JsonLogger } from '@app/common';
import { IngressMetrics } from '../../apps/ingress/src/metrics';
import { loadProviderDefinitions, loadProviders, signRequest, type SchemeConfig } from '@app/webhooks';
import { type OutboundRecord, type ProducerPort } from '@app/kafka';
import { createIngressApp, type HttpOptions } from '../../apps/ingress/src/create-app';

export const ROOT = join(__dirname, '..', '..');

/** Test secrets; the logistics one is a Standard Webhooks secret (whsec_ + base64). */
export const SECRETS: Record<string, string> = {
  WEBHOOK_SECRET_CRM: 'crm-test-secret',
  WEBHOOK_SECRET_SHOP: 'shop-test-secret',
  WEBHOOK_SECRET_LOGISTICS: `whsec_${Buffer.from('logistics-test-secret-32-bytes!!').toString('base64')}`,
  WEBHOOK_SECRET_GITHUB: 'github-test-secret',
  WEBHOOK_SECRET_STRIPE: 'whsec_stripe-test-secret',
  WEBHOOK_SECRET_SLACK: 'slack-test-secret',
};

/** Each provider's scheme, as config/providers.yaml declares it (the ingress reads the same file). */
export const SCHEMES: Record<string, SchemeConfig> = Object.fromEntries(
  [...loadProviderDefinitions(join(ROOT, 'config', 'providers.yaml'))].map(([name, def]) => [name, def.scheme]),
);

export function sample(name: string): Buffer {
  return readFileSync(join(ROOT, 'tools', 'webhook', 'samples', `${name}.json`));
}

/** Headers a provider would send: its signature plus its event type / id headers. */
export function signed(
  provider: string,
  body: Buffer,
  opts: { nowMs?: number; id?: string; headers?: Record<string, string> } = {},
): Record<string, string> {
  const secret = SECRETS[`WEBHOOK_SECRET_${provider.toUpperCase()}`].split(',')[0];
  return {
    'content-type': 'application/json',
    ...signRequest(SCHEMES[provider], secret, body, opts.nowMs ?? Date.now(), { id: opts.id ?? 'msg_test_1' }),
    ...opts.headers,
  };
}

export class FakeProducer implements ProducerPort {
  records: OutboundRecord[] = [];
  connected = true;
  inFlight = 0;
  failWith?: AppError;

  async send(record: OutboundRecord): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.records.push(record);
  }
}

export async function ingressWithFake(
  env: Record<string, string> = SECRETS,
  http: HttpOptions = { bodyLimitBytes: 1024 * 1024, trustedProxies: [] },
  providersFile = join(ROOT, 'config', 'providers.yaml'),
): Promise<{ app: NestFastifyApplication; producer: FakeProducer; logs: string[] }> {
  const logs: string[] = [];
  const logger = new JsonLogger('ingress-test', 'debug', (l) => logs.push(l));
  const producer = new FakeProducer();
  const registry = createRegistry('ingress-test');
  const providers = loadProviders(providersFile, new EnvReader(env));
  const app = await createIngressApp({ providers, producer, logger, registry, metrics: new IngressMetrics(registry), topicPrefix: '' }, http);
  await app.getHttpAdapter().getInstance().ready();
  return { app, producer, logs };
}
