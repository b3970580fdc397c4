import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createVerifier, loadProviders, SCHEME_PRESETS, WebhookIngest } from '@app/webhooks';
import { EnvReader } from '@app/common';
import { type OutboundRecord } from '@app/kafka';
import { backoffMs } from '../../../apps/carrier-simulator/src/delivery/delivery-job';
import { WebhookDispatcher } from '../../../apps/carrier-simulator/src/delivery/webhook-dispatcher';
import { ROOT, SECRETS } from '../../support/ingress';
import { carrierApp, createShipment, eventually, SECRET, Subscriber } from './support';
import { join } from 'node:path';

interface Event {
  type: string;
  data: { shipment_id: string; order_id: string; status: string; tracking_number: string; sequence: number };
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

  async function start(statuses: number[], config: Parameters<typeof carrierApp>[0]) {
    subscriber = new Subscriber(statuses);
    const url = await subscriber.listen();
    const started = await carrierApp(config);
    app = started.app;
    const { shipmentId } = (await createShipment(app, `k-${Date.now()}`)).json<{ shipmentId: string }>();
    const subscribe = () => app?.inject({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url, shipmentId } });
    return { app, subscriber, logs: started.logs, shipmentId, subscribe };
  }

  it('sends shipped then delivered, signed, retrying a 500 and duplicating with the same webhook-id', async () => {
    const run = await start([500], { shipDelayMs: 20, deliverDelayMs: 300, duplicates: 1, retryInitialMs: 20, retryMaxAttempts: 5 });
    expect((await run.subscribe())?.statusCode).toBe(201);
    expect((await run.subscribe())?.statusCode).toBe(200); // the same (url, shipment): must not double the events

    // shipped: 500, retry 200, duplicate 200; delivered: 200, duplicate 200.
    await run.subscriber.waitFor(5);
    const got = run.subscriber.received;
    for (const r of got) {
      expect(verifier.verify({ rawBody: r.body, headers: r.headers, nowMs: Date.now() })).toEqual({ ok: true, timestamp: expect.any(Number) as number });
      expect(r.headers['content-type']).toBe('application/json');
    }
    const events = got.map((r) => JSON.parse(r.body.toString()) as Event);
    expect(events.map((e) => e.type)).toEqual(['shipment.shipped', 'shipment.shipped', 'shipment.shipped', 'shipment.delivered', 'shipment.delivered']);
    const ids = got.map((r) => header(r, 'webhook-id'));
    expect(ids[0]).toMatch(/^msg_/);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(new Set(ids.slice(3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
    expect(got[1].body.equals(got[0].body) && got[2].body.equals(got[0].body)).toBe(true);
    expect(events[0].data).toMatchObject({ shipment_id: run.shipmentId, order_id: 'ord-1', status: 'shipped', sequence: 2 });
    expect(events[3].data).toMatchObject({ shipment_id: run.shipmentId, status: 'delivered', sequence: 3, tracking_number: events[0].data.tracking_number });

    await eventually(async () => {
      const shipment = (await run.app.inject({ method: 'GET', url: `/v1/shipments/${run.shipmentId}` })).json<{
        status: string;
        deliveries: { status: number; attempt: number; duplicate: boolean }[];
      }>();
      expect(shipment.status).toBe('delivered');
      expect(shipment.deliveries.map((d) => [d.status, d.attempt, d.duplicate])).toEqual([
        [500, 1, false],
        [200, 2, false],
        [200, 2, true],
        [200, 1, false],
        [200, 1, true],
      ]);
    });
    // Nothing more arrives: the second subscription did not double the events.
    await new Promise((r) => setTimeout(r, 100));
    expect(run.subscriber.received).toHaveLength(5);
  });

  it('sends events the ingress accepts and normalizes onto shipments.updated, identified by webhook-id', async () => {
    const run = await start([], { shipDelayMs: 10, deliverDelayMs: 10 });
    await run.subscribe();
    await run.subscriber.waitFor(2);
    const records: OutboundRecord[] = [];
    const env = new EnvReader({ ...SECRETS, WEBHOOK_SECRET_LOGISTICS: SECRET });
    const ingest = new WebhookIngest(loadProviders(join(ROOT, 'config', 'providers.yaml'), env), { send: async (r) => void records.push(r) });
    for (const r of run.subscriber.received) {
      const outcome = await ingest.handle({ provider: 'logistics', rawBody: r.body, headers: r.headers, clientIp: '127.0.0.1' });
      expect(outcome).toEqual({ kind: 'accepted', id: header(r, 'webhook-id'), topic: 'shipments.updated' });
    }
    expect(records.map((r) => JSON.parse(String(r.message.value)) as { status: string })).toMatchObject([
      { status: 'shipped', orderId: 'ord-1', shipmentId: run.shipmentId, sequence: 2 },
      { status: 'delivered', orderId: 'ord-1', shipmentId: run.shipmentId, sequence: 3 },
    ]);
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
    const closed = new Subscriber();
    const deadUrl = await closed.listen();
    await closed.close();
    const { app: carrier } = await carrierApp({ shipDelayMs: 10, retryInitialMs: 10, retryMaxAttempts: 2 });
    app = carrier;
    const { shipmentId } = (await createShipment(carrier, 'k-net')).json<{ shipmentId: string }>();
    await carrier.inject({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: deadUrl, shipmentId } });
    await eventually(async () => {
      const { deliveries } = (await carrier.inject({ method: 'GET', url: `/v1/shipments/${shipmentId}` })).json<{ deliveries: { attempt: number; error?: string }[] }>();
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2]);
      expect(deliveries.map((d) => d.error)).toEqual([expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/ECONNREFUSED/)]);
    });
  });

  it('clears every pending timer when the app closes, so nothing is sent afterwards', async () => {
    const run = await start([], { shipDelayMs: 50, deliverDelayMs: 50 });
    await run.subscribe();
    const dispatcher = run.app.get(WebhookDispatcher);
    expect(dispatcher.pendingTimers).toBe(2);
    await run.app.close();
    app = undefined;
    expect(dispatcher.pendingTimers).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
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
