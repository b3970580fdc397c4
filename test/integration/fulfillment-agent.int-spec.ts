import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { JsonLogger } from '@app/common';
import { createCarrierApp } from '../../apps/carrier-simulator/src/create-app';
import { FulfillmentAgentModule } from '../../apps/fulfillment-agent/src/fulfillment-agent.module';
import { startAgent } from '../support/agents';
import { sample, SECRETS, signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { header, readSettled, type Received, testKafka, unique } from '../support/kafka';

describe('fulfillment agent: shop order → carrier simulator → shipment webhooks → invoice (real broker)', () => {
  let ingress: RunningIngress;
  let carrier: NestFastifyApplication;
  let agent: INestApplication;
  let kafka: Kafka;

  beforeAll(async () => {
    ingress = await startIngress({ quiet: true });
    await ingress.app.listen(0, '127.0.0.1');
    const ingressUrl = await ingress.app.getUrl();
    carrier = await createCarrierApp({
      logger: new JsonLogger('carrier', 'error'),
      delivery: {
        secret: SECRETS.WEBHOOK_SECRET_LOGISTICS,
        shipDelayMs: 100,
        deliverDelayMs: 1000, // usually shipped lands first; the test does not depend on it (see below)
        duplicates: 2,
        retryInitialMs: 100,
        retryMaxAttempts: 10,
        requestTimeoutMs: 5000,
      },
    });
    await carrier.listen(0, '127.0.0.1');
    process.env.CARRIER_URL = await carrier.getUrl();
    process.env.CARRIER_CALLBACK_URL = `${ingressUrl.replace('[::1]', '127.0.0.1')}/webhooks/logistics`;
    agent = await startAgent('fulfillment-agent', FulfillmentAgentModule, ingress.prefix);
    kafka = testKafka();
  });
  afterAll(async () => {
    await agent?.close();
    await carrier?.close();
    await ingress?.close();
  });

  it('dispatches, follows shipped and delivered, and requests the shipping email and the invoice exactly once', async () => {
    const orderId = String(Date.now());
    const order = JSON.parse(sample('shop.orders-create').toString()) as Record<string, unknown>;
    const body = Buffer.from(JSON.stringify({ ...order, id: Number(orderId), admin_graphql_api_id: `gid://shopify/Order/${orderId}` }));
    const headers = signed('shop', body, { headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': unique('wh') } });
    // The shop retries its webhook: the agent must dispatch once.
    for (let i = 0; i < 2; i++) {
      const res = await ingress.app.inject({ method: 'POST', url: '/webhooks/shop', payload: body, headers });
      expect(res.statusCode).toBe(202);
    }

    const p = ingress.prefix;
    const topics = [`${p}orders.status-changed`, `${p}emails.requested`, `${p}invoices.requested`];
    const forOrder = (r: { message: { key: Buffer | null } }) => String(r.message.key) === orderId;
    const statuses = (rs: Received[]) =>
      rs.filter((r) => r.topic.endsWith('orders.status-changed') && forOrder(r)).map((r) => (JSON.parse(String(r.message.value)) as { to: string }).to);
    const of = (rs: Received[], topic: string) => rs.filter((r) => r.topic.endsWith(topic) && forOrder(r));
    const seen = await readSettled(
      kafka,
      topics,
      (rs) => statuses(rs).includes('delivered') && of(rs, 'invoices.requested').length > 0 && of(rs, 'emails.requested').length > 0,
      60_000,
    );

    // The carrier does not order its messages (a retried or slow `shipped` can land after `delivered`), and
    // the agent promises a monotonic life cycle by data.sequence: a `shipped` arriving after `delivered` is
    // ignored as stale. So `shipped` is seen only when it won the race; nothing else may differ.
    expect([
      ['placed', 'dispatched', 'shipped', 'delivered'],
      ['placed', 'dispatched', 'delivered'],
    ]).toContainEqual(statuses(seen));
    const invoices = seen.filter((r) => r.topic.endsWith('invoices.requested') && forOrder(r));
    expect(invoices).toHaveLength(1);
    expect(JSON.parse(String(invoices[0].message.value))).toMatchObject({ orderId, total: '59.90', currency: 'EUR' });
    const emails = seen.filter((r) => r.topic.endsWith('emails.requested') && forOrder(r));
    expect(emails.map((r) => (JSON.parse(String(r.message.value)) as { template: string }).template)).toEqual(['shipping-confirmation']);
    expect(new Set(seen.map((r) => header(r.message, 'ce_id'))).size).toBe(seen.length);
  });
});
