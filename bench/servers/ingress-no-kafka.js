'use strict';
/**
 * The ingress without Kafka: the real HTTP app (Fastify + Nest, the providers of config/providers.yaml,
 * WebhookIngest, metrics; from the run's dist/ snapshot in BENCH_DIST) with a producer that acknowledges
 * every record at once: what the app accepts and costs without Kafka, everything else the same. Not a
 * ceiling for a Kafka client: its answers leave one by one, where the real ingress answers the webhooks of
 * one produce request together, which costs less per answer under load.
 */
const { ingressWithoutKafka } = require('../lib/in-process-apps');

process.on('disconnect', () => process.exit(2)); // the runner went away

async function main() {
  const { app } = await ingressWithoutKafka(process.env.BENCH_DIST, process.env, 'ingress-no-kafka');
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.send({ ready: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
