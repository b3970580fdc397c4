import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { JsonLogger } from '@app/common';
import { createCarrierApp } from '../../apps/carrier-simulator/src/create-app';
import { FulfillmentAgentModule } from '../../apps/fulfillment-agent/src/fulfillment-agent.module';
import { startAgent } from '../support/agents';
import { sample, SECRETS, signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import type { Trace, TraceNode } from '@app/kafka';
import { hookline } from '../support/hookline';
import { header, readSettled, readUntil, type Received, testKafka, unique } from '../support/kafka';

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

  /** A signed shop order sent `times` times (the shop retries its webhook); returns its ids. */
  async function placeOrder(times: number): Promise<{ orderId: string; webhookId: string }> {
    const orderId = String(Date.now());
    const webhookId = unique('wh');
    const order = JSON.parse(sample('shop.orders-create').toString()) as Record<string, unknown>;
    const body = Buffer.from(JSON.stringify({ ...order, id: Number(orderId), admin_graphql_api_id: `gid://shopify/Order/${orderId}` }));
    const headers = signed('shop', body, { headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': webhookId } });
    for (let i = 0; i < times; i++) {
      const res = await ingress.app.inject({ method: 'POST', url: '/webhooks/shop', payload: body, headers });
      expect(res.statusCode).toBe(202);
    }
    return { orderId, webhookId };
  }

  it('dispatches, follows shipped and delivered, and requests the shipping email and the invoice exactly once', async () => {
    // The shop retries its webhook: the agent must dispatch once.
    const { orderId } = await placeOrder(2);

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

  /** A trace node as its type (a status change with its target status) over its children, in a fixed order. */
  type Shape = [string, Shape[]];
  const shape = (n: TraceNode): Shape => {
    const to = n.type === 'order.status-changed' ? /"to":"(\w+)"/.exec(n.preview)?.[1] : undefined;
    return [to ? `${n.type}:${to}` : (n.type ?? '-'), n.children.map(shape).sort(([a], [b]) => a.localeCompare(b))];
  };
  const nodes = (n: TraceNode): TraceNode[] => [n, ...n.children.flatMap(nodes)];

  it('traces the order: `hookline events trace <order id>` shows the order, the carrier\'s webhooks and every status change in one tree', async () => {
    const { orderId, webhookId } = await placeOrder(1);
    const p = ingress.prefix;
    const forOrder = (r: Received) => String(r.message.key) === orderId;
    const value = (r: Received) => JSON.parse(String(r.message.value)) as { to?: string; status?: string };
    // Everything the trace must hold is on Kafka: both carrier webhooks, the delivered status and the invoice.
    await readUntil(
      kafka,
      [`${p}shipments.updated`, `${p}orders.status-changed`, `${p}invoices.requested`],
      (rs) => {
        const mine = rs.filter(forOrder);
        const webhooks = new Set(mine.filter((r) => r.topic.endsWith('shipments.updated')).map((r) => value(r).status));
        return webhooks.has('shipped') && webhooks.has('delivered') && mine.some((r) => value(r).to === 'delivered') && mine.some((r) => r.topic.endsWith('invoices.requested'));
      },
      60_000,
    );

    const env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS as string, KAFKA_TOPIC_PREFIX: p };
    const json = await hookline(['events', 'trace', webhookId, '--json'], env);
    expect(json.code).toBe(0);
    const trace = JSON.parse(json.stdout) as Trace;
    expect(trace.roots).toHaveLength(1);
    const [root] = trace.roots;
    expect([root.id, root.records[0].topic]).toEqual([webhookId, 'orders.placed']);
    // Whichever carrier webhook arrived first bills (the email and the invoice); a `shipped` arriving after
    // `delivered` is stale and changes nothing (see the test above). Either way, one tree.
    const billedBy = (webhook: string): Shape => [
      webhook,
      ['email.requested', 'invoice.requested', `order.status-changed:${webhook.replace('logistics.shipment.', '')}`].map((t): Shape => [t, []]),
    ];
    expect([
      [
        'shop.orders/create',
        [['logistics.shipment.delivered', [['order.status-changed:delivered', []]]], billedBy('logistics.shipment.shipped'), ['order.status-changed:dispatched', []], ['order.status-changed:placed', []]],
      ],
      ['shop.orders/create', [billedBy('logistics.shipment.delivered'), ['logistics.shipment.shipped', []], ['order.status-changed:dispatched', []], ['order.status-changed:placed', []]]],
    ]).toContainEqual(shape(root));
    // The carrier's webhooks are the provider's records, their causation the reference it echoed.
    for (const webhook of root.children.filter((c) => c.type?.startsWith('logistics.'))) {
      expect([webhook.source, webhook.causationId, webhook.records.every((r) => r.topic === 'shipments.updated')]).toEqual(['/webhooks/logistics', webhookId, true]);
    }
    // Each hop has its delay after its cause.
    for (const n of nodes(root).slice(1)) expect(n.delayMs).toBeGreaterThanOrEqual(0);

    const text = await hookline(['events', 'trace', webhookId], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^trace ${webhookId}: ${trace.events} events, ${trace.records} records \\(\\d+ topics read\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^${webhookId}  shop\\.orders/create  orders\\.placed \\d+/\\d+  \\S+$`));
    for (const type of ['shipped', 'delivered']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^[├└]─ msg_\\w+  logistics\\.shipment\\.${type}  shipments\\.updated \\d+/\\d+  \\S+  \\+`)));
    }
    console.log(`hookline events trace ${webhookId}\n${text.stdout}`);
  });
});
