import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createVerifier, loadProviders, SCHEME_PRESETS, WebhookIngest } from '@app/webhooks';
import { EnvReader, headerString } from '@app/common';
import { type OutboundRecord } from '@app/kafka';
import { backoffMs } from '../../../apps/carrier-simulator/src/delivery/delivery-job';
import { WebhookDispatcher } from '../../../apps/carrier-simulator/src/delivery/webhook-dispatcher';
import { ROOT, SECRETS } from '../../support/ingress';
import { ADDRESS, brokenEndpoint, carrierApp, createShipment, eventually, SECRET, Subscriber, type Responder } from './support';
import { join } from 'node:path';

interface Event {
  type: string;
  data: { shipment_id: string; order_id: string; status: string; tracking_number: string; sequence: number; reference?: string };
}

const verifier = createVerifier(SCHEME_PRESETS.standardWebhooks, [SECRET]);
const header = (r: { headers: Record<string, unknown> }, name: string) => String(r.headers[name]);

describe('carrier simulator webhook delivery (real HTTP subscriber on 127.0.0.1)', () => {
  let app: NestFastifyApplication | undefined;
  let subscriber: Subscriber | undefined;
  afterEach(async () => {
    await app?.close();
    await subscriber?.close();
    app = subscriber = undefined;
  });

  async function start(statuses: number[] | Responder, config: Parameters<typeof carrierApp>[0], shipment?: Record<string, unknown>) {
    subscriber = new Subscriber(statuses);
    const url = await subscriber.listen();
    const started = await carrierApp(config);
    app = started.app;
    const { shipmentId } = (await createShipment(app, `k-${Date.now()}`, shipment)).json<{ shipmentId: string }>();
    const subscribe = () => app?.inject({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url, shipmentId } });
    return { app, subscriber, logs: started.logs, shipmentId, subscribe };
  }

  // What WebhookDispatcher promises: each event is one message (one webhook-id, fixed bytes); the attempts
  // of one message are sequential (a retry after a failure, duplicates after the success). It does NOT
  // order different messages: a retried `shipped` may reach the subscriber after `delivered`, and
  // subscribers order by data.sequence. So the test fails `shipped` by what it is, not by arrival
  // position, and checks order only within each message.
  it('sends shipped and delivered, signed, retrying a 500 and duplicating with the same webhook-id', async () => {
    let failedShipped = false;
    const failFirstShipped = (r: { body: Buffer }) => {
      if (failedShipped || (JSON.parse(r.body.toString()) as Event).type !== 'shipment.shipped') return 200;
      failedShipped = true;
      return 500;
    };
    const run = await start(failFirstShipped, { shipDelayMs: 20, deliverDelayMs: 300, duplicates: 1, retryInitialMs: 20, retryMaxAttempts: 5 });
    expect((await run.subscribe())?.statusCode).toBe(201);
    expect((await run.subscribe())?.statusCode).toBe(200); // the same (url, shipment): must not double the events

    // shipped: 500, retry 200, duplicate 200; delivered: 200, duplicate 200 (the two interleave freely).
    await run.subscriber.waitFor(5);
    const got = run.subscriber.received;
    for (const r of got) {
      expect(verifier.verify({ rawBody: r.body, headers: r.headers, nowMs: Date.now() })).toEqual({ ok: true, timestamp: expect.any(Number) as number });
      expect(r.headers['content-type']).toBe('application/json');
    }
    const ofType = (type: string) => got.filter((r) => (JSON.parse(r.body.toString()) as Event).type === type);
    const shipped = ofType('shipment.shipped');
    const delivered = ofType('shipment.delivered');
    expect([shipped.length, delivered.length]).toEqual([3, 2]);
    for (const message of [shipped, delivered]) {
      expect(header(message[0], 'webhook-id')).toMatch(/^msg_/);
      expect(new Set(message.map((r) => header(r, 'webhook-id'))).size).toBe(1); // retries and duplicates keep the id
      expect(message.every((r) => r.body.equals(message[0].body))).toBe(true); // and the bytes
    }
    expect(header(delivered[0], 'webhook-id')).not.toBe(header(shipped[0], 'webhook-id'));
    const [shippedEvent, deliveredEvent] = [shipped[0], delivered[0]].map((r) => JSON.parse(r.body.toString()) as Event);
    expect(shippedEvent.data).toMatchObject({ shipment_id: run.shipmentId, order_id: 'ord-1', status: 'shipped', sequence: 2 });
    expect(deliveredEvent.data).toMatchObject({ shipment_id: run.shipmentId, status: 'delivered', sequence: 3, tracking_number: shippedEvent.data.tracking_number });
    expect(shippedEvent.data).not.toHaveProperty('reference'); // created without one

    await eventually(async () => {
      const shipment = (await run.app.inject({ method: 'GET', url: `/v1/shipments/${run.shipmentId}` })).json<{
        status: string;
        deliveries: { type: string; status: number; attempt: number; duplicate: boolean }[];
      }>();
      expect(shipment.status).toBe('delivered');
      const attempts = (type: string) => shipment.deliveries.filter((d) => d.type === type).map((d) => [d.status, d.attempt, d.duplicate]);
      expect(shipment.deliveries).toHaveLength(5);
      expect(attempts('shipment.shipped')).toEqual([
        [500, 1, false],
        [200, 2, false],
        [200, 2, true],
      ]);
      expect(attempts('shipment.delivered')).toEqual([
        [200, 1, false],
        [200, 1, true],
      ]);
    });
    // Nothing more arrives: the second subscription did not double the events. Both events have fired and
    // no retry is pending, so a doubled job would already be sending; give its requests a moment to land.
    expect(run.app.get(WebhookDispatcher).pendingTimers).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(run.subscriber.received).toHaveLength(5);
  });

  it('sends events the ingress accepts and normalizes onto shipments.updated, identified by webhook-id, caused by the client reference', async () => {
    const run = await start([], { shipDelayMs: 10, deliverDelayMs: 10 }, { orderId: 'ord-1', address: ADDRESS, reference: 'wh-order-1' });
    await run.subscribe();
    await run.subscriber.waitFor(2);
    const records: OutboundRecord[] = [];
    const env = new EnvReader({ ...SECRETS, WEBHOOK_SECRET_LOGISTICS: SECRET });
    const ingest = new WebhookIngest(loadProviders(join(ROOT, 'config', 'providers.yaml'), env), { send: async (r) => void records.push(r) });
    // shipped and delivered are separate messages, not ordered on the wire: take them by data.sequence,
    // as a subscriber must.
    const sequence = (r: { body: Buffer }) => (JSON.parse(r.body.toString()) as Event).data.sequence;
    for (const r of [...run.subscriber.received].sort((a, b) => sequence(a) - sequence(b))) {
      const outcome = await ingest.handle({ provider: 'logistics', rawBody: r.body, headers: r.headers, clientIp: '127.0.0.1' });
      expect(outcome).toEqual({ kind: 'accepted', id: header(r, 'webhook-id'), topic: 'shipments.updated' });
    }
    expect(records.map((r) => JSON.parse(String(r.message.value)) as { status: string })).toMatchObject([
      { status: 'shipped', orderId: 'ord-1', shipmentId: run.shipmentId, sequence: 2 },
      { status: 'delivered', orderId: 'ord-1', shipmentId: run.shipmentId, sequence: 3 },
    ]);
    // Each webhook echoes the reference as data.reference; the ingress makes it the record's causation.
    expect(run.subscriber.received.map((r) => (JSON.parse(r.body.toString()) as Event).data.reference)).toEqual(['wh-order-1', 'wh-order-1']);
    expect(records.map((r) => headerString(r.message.headers, 'ce_causationid'))).toEqual(['wh-order-1', 'wh-order-1']);
  });

  it('gives up after RETRY_MAX_ATTEMPTS attempts with a warning', async () => {
    const run = await start([500, 500, 503, 500], { shipDelayMs: 10, retryInitialMs: 10, retryMaxAttempts: 3 });
    await run.subscribe();
    await run.subscriber.waitFor(3);
    await eventually(() => expect(run.logs.some((l) => l.includes('"level":"warn"') && l.includes('given up'))).toBe(true));
    await new Promise((r) => setTimeout(r, 100));
    expect(run.subscriber.received).toHaveLength(3);
    expect(new Set(run.subscriber.received.map((r) => header(r, 'webhook-id'))).size).toBe(1);
  });

  it('retries a network error and records it', async () => {
    // A server of ours that drops every connection: a network error that no other process can turn into
    // an answer (a port closed a moment ago could be taken by anything on a shared machine).
    const broken = await brokenEndpoint();
    try {
      const { app: carrier } = await carrierApp({ shipDelayMs: 10, retryInitialMs: 10, retryMaxAttempts: 2 });
      app = carrier;
      const { shipmentId } = (await createShipment(carrier, 'k-net')).json<{ shipmentId: string }>();
      await carrier.inject({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: broken.url, shipmentId } });
      await eventually(async () => {
        const { deliveries } = (await carrier.inject({ method: 'GET', url: `/v1/shipments/${shipmentId}` })).json<{
          deliveries: { attempt: number; status?: number; error?: string }[];
        }>();
        expect(deliveries.map((d) => d.attempt)).toEqual([1, 2]);
        expect(deliveries.map((d) => d.status)).toEqual([undefined, undefined]);
        expect(deliveries.map((d) => d.error)).toEqual([expect.stringMatching(/^fetch failed: ./), expect.stringMatching(/^fetch failed: ./)]);
      });
    } finally {
      await broken.close();
    }
  });

  it('clears every pending timer when the app closes, so nothing is sent afterwards', async () => {
    // Delays far beyond the test's run time: both lifecycle timers are certainly still pending when
    // counted, however slowly a loaded machine gets from subscribe() to the check (with 50 ms delays the
    // shipped timer could already have fired).
    const run = await start([], { shipDelayMs: 30_000, deliverDelayMs: 30_000 });
    await run.subscribe();
    const dispatcher = run.app.get(WebhookDispatcher);
    expect(dispatcher.pendingTimers).toBe(2);
    await run.app.close();
    app = undefined;
    // Cleared timers never fire (clearTimeout), so an empty set means nothing can be sent afterwards.
    expect(dispatcher.pendingTimers).toBe(0);
    expect(run.subscriber.received).toHaveLength(0);
  });
});

describe('backoffMs', () => {
  it('doubles from the initial delay and caps at 30 s, less up to a fifth of jitter', () => {
    const expected = [500, 1000, 2000, 4000, 16_000, 30_000, 30_000];
    [1, 2, 3, 4, 6, 7, 10].forEach((n, i) => {
      expect(backoffMs(500, n)).toBeLessThanOrEqual(expected[i]);
      expect(backoffMs(500, n)).toBeGreaterThanOrEqual(expected[i] * 0.8);
    });
  });
});
