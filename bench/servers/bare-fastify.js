'use strict';
/**
 * The HTTP ceiling: Fastify (the same major version and raw-body parsing the ingress uses) answering
 * every webhook with 202 and a small JSON body, doing nothing else.
 */
const Fastify = require('fastify');

process.on('disconnect', () => process.exit(2)); // the runner went away

async function main() {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/:provider', async (_req, reply) => {
    reply.code(202);
    return { id: 'bare', status: 'accepted' };
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.send({ ready: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
