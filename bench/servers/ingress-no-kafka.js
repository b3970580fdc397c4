'use strict';
/**
 * The ingress without Kafka: the real HTTP app (Fastify + Nest, the providers of config/providers.yaml,
 * WebhookIngest, metrics; from the run's dist/ snapshot in BENCH_DIST) with a producer that acknowledges
 * every record at once: what the app accepts and costs without Kafka, everything else the same. Not a
 * ceiling for a Kafka client: its answers leave one by one, where the real ingress answers the webhooks of
 * one produce request together, which costs less per answer under load.
 */
require('reflect-metadata');
const path = require('node:path');

process.on('disconnect', () => process.exit(2)); // the runner went away

async function main() {
  const dist = process.env.BENCH_DIST;
  const common = require(path.join(dist, 'libs/common/src'));
  const webhooks = require(path.join(dist, 'libs/webhooks/src'));
  const { createIngressApp } = require(path.join(dist, 'apps/ingress/src/create-app'));
  const { IngressMetrics } = require(path.join(dist, 'apps/ingress/src/metrics'));
  const env = new common.EnvReader(process.env);
  const providers = webhooks.loadProviders(path.resolve(__dirname, '../../config/providers.yaml'), env);
  const producer = { connected: true, inFlight: 0, send: () => Promise.resolve() };
  const logger = new common.JsonLogger('ingress-no-kafka', 'warn');
  const registry = common.createRegistry('ingress');
  const app = await createIngressApp({ providers, producer, logger, registry, metrics: new IngressMetrics(registry), topicPrefix: '' }, { bodyLimitBytes: 1024 * 1024, trustedProxies: [] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.send({ ready: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
