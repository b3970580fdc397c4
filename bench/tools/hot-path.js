'use strict';
/**
 * CPU per webhook of the ingress's own code, apart from sockets and Kafka: the real HTTP app (Fastify + Nest,
 * the CRM provider from config/providers.yaml, WebhookIngest, metrics) built from a dist/ directory, fed
 * signed CRM webhooks through Fastify's inject, with a producer that acknowledges at once. Prints the
 * process CPU time per request (user + system) over `n` requests after a warm-up, best of `rounds`.
 *
 *   node bench/tools/hot-path.js [dist dir = dist] [n = 20000] [rounds = 5]
 *   node bench/tools/hot-path.js bare [n] [rounds]   # the same through a bare Fastify 202 route: inject's and HTTP's share
 *
 * Used to measure code changes of the hot path one by one (build each, run this on each dist/ copy); the
 * figures of the running service with sockets and a broker come from `npm run bench` (scenario 1).
 */
require('../../scripts/require-node.js');
const path = require('node:path');
const { webhookFactory, randomSecrets } = require('../lib/payload');
const { bareFastify, ingressWithoutKafka } = require('../lib/in-process-apps');

async function bareApp() {
  const fastify = bareFastify();
  await fastify.ready();
  return { fastify, secret: 'bare', close: () => fastify.close() };
}

async function ingressApp(dist) {
  const secrets = randomSecrets();
  const { app, records } = await ingressWithoutKafka(dist, { ...process.env, ...secrets }, 'hot-path');
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  return { fastify, secret: secrets.WEBHOOK_SECRET_CRM, close: () => app.close(), records };
}

async function main() {
  const bare = process.argv[2] === 'bare';
  const dist = bare ? 'bare' : path.resolve(process.argv[2] || 'dist');
  const n = Number(process.argv[3] || 20000);
  const rounds = Number(process.argv[4] || 5);
  const { fastify, secret, close, records } = bare ? await bareApp() : await ingressApp(dist);
  const factory = webhookFactory({ tag: `hp${Date.now().toString(36)}`, secret });
  let seq = 0;
  const batch = async (count) => {
    // Signed before the clock starts: only the app's work is measured (and inject's, the same for every build).
    const requests = Array.from({ length: count }, () => factory.request(seq++));
    const c0 = process.cpuUsage();
    const inflight = [];
    for (let i = 0; i < count; i++) {
      const { body, headers } = requests[i];
      inflight.push(fastify.inject({ method: 'POST', url: '/webhooks/crm', headers, payload: body }));
      if (inflight.length === 64) {
        for (const r of await Promise.all(inflight.splice(0))) if (r.statusCode !== 202) throw new Error(`status ${r.statusCode}: ${r.body}`);
      }
    }
    for (const r of await Promise.all(inflight)) if (r.statusCode !== 202) throw new Error(`status ${r.statusCode}: ${r.body}`);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / count;
  };
  await batch(Math.min(n, 5000));
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await batch(n));
  await close();
  const best = Math.min(...results);
  console.log(JSON.stringify({ dist: bare ? 'bare Fastify' : path.relative(process.cwd(), dist), requests: n, rounds, records: records?.(), cpuUsPerRequest: Math.round(best * 10) / 10, all: results.map((x) => Math.round(x * 10) / 10) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
