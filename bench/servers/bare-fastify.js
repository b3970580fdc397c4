'use strict';
/**
 * The HTTP ceiling: Fastify (the same major version and raw-body parsing the ingress uses) answering
 * every webhook with 202 and a small JSON body, doing nothing else.
 */
const { bareFastify } = require('../lib/in-process-apps');

process.on('disconnect', () => process.exit(2)); // the runner went away

async function main() {
  const app = bareFastify();
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.send({ ready: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
