'use strict';
/**
 * The naive design: a Fastify route that checks the CRM HMAC (node:crypto, timingSafeEqual), parses the
 * JSON for its id, and awaits ONE kafkajs `producer.send` per request. The producer is kafkajs's plain
 * producer as the tutorials show it (`kafka.producer()`, no idempotence, no batching of its own) with
 * acks=-1; kafkajs lets concurrent sends go out as concurrent produce requests.
 */
const crypto = require('node:crypto');
const Fastify = require('fastify');
const { Kafka, logLevel } = require('kafkajs');

process.on('disconnect', () => process.exit(2));

const SIGNATURE = /^[0-9a-f]{64}$/;

async function main() {
  const secret = Buffer.from(process.env.WEBHOOK_SECRET_CRM || '', 'utf8');
  if (secret.length === 0) throw new Error('WEBHOOK_SECRET_CRM is required');
  const topic = process.env.NAIVE_TOPIC;
  const kafka = new Kafka({ clientId: 'bench-naive', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/:provider', async (req, reply) => {
    const given = req.headers['x-crm-signature'];
    const expected = crypto.createHmac('sha256', secret).update(req.body).digest();
    if (typeof given !== 'string' || !SIGNATURE.test(given) || !crypto.timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
      reply.code(401);
      return { code: 'SIGNATURE_INVALID' };
    }
    let id;
    try {
      id = JSON.parse(req.body.toString('utf8')).id;
    } catch {
      reply.code(400);
      return { code: 'MALFORMED_JSON' };
    }
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: String(id), value: req.body }] });
    } catch {
      reply.code(503);
      return { code: 'KAFKA_UNAVAILABLE' };
    }
    reply.code(202);
    return { id, status: 'accepted' };
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => producer.disconnect()).then(() => process.exit(0)));
  process.send({ ready: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
