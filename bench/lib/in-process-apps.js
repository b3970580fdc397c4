'use strict';
/**
 * The two HTTP apps the benchmark also runs without sockets or Kafka: a bare Fastify 202 route with the
 * ingress's raw-body parser (scenario 1's "bare" target, and `tools/hot-path.js bare`), and the real ingress
 * app built from a dist/ directory with a producer that acknowledges every record at once (scenario 1's
 * "ingress without Kafka" target, and `tools/hot-path.js`). Neither listens; callers do.
 */
const path = require('node:path');

/** Fastify answering every webhook with 202 and a small JSON body, doing nothing else. */
function bareFastify() {
  const fastify = require('fastify')({ logger: false, bodyLimit: 1024 * 1024 });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  fastify.post('/webhooks/:provider', async (_req, reply) => {
    reply.code(202);
    return { id: 'bare', status: 'accepted' };
  });
  return fastify;
}

/**
 * The ingress's Nest app from `dist` (config/providers.yaml; secrets from `env`), its producer counting the
 * records it acknowledges at once. Returns the Nest app and that count.
 */
async function ingressWithoutKafka(dist, env, logName) {
  require('reflect-metadata');
  const common = require(path.join(dist, 'libs/common/src'));
  const webhooks = require(path.join(dist, 'libs/webhooks/src'));
  const { createIngressApp } = require(path.join(dist, 'apps/ingress/src/create-app'));
  const { IngressMetrics } = require(path.join(dist, 'apps/ingress/src/metrics'));
  const providers = webhooks.loadProviders(path.resolve(__dirname, '../../config/providers.yaml'), new common.EnvReader(env));
  let records = 0;
  const producer = { connected: true, inFlight: 0, send: () => (records++, Promise.resolve()) };
  const logger = new common.JsonLogger(logName, 'warn');
  const registry = common.createRegistry('ingress');
  const app = await createIngressApp({ providers, producer, logger, registry, metrics: new IngressMetrics(registry), topicPrefix: '' }, { bodyLimitBytes: 1024 * 1024, trustedProxies: [] });
  return { app, records: () => records };
}

module.exports = { bareFastify, ingressWithoutKafka };
