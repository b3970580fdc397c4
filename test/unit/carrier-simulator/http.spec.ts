import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADDRESS, carrierApp, createShipment } from './support';

interface ShipmentBody {
  shipmentId: string;
  trackingNumber: string;
  orderId: string;
  status: string;
}

describe('carrier simulator HTTP API (through Fastify inject)', () => {
  let app: NestFastifyApplication;
  let keys = 0;
  const newKey = () => `key-${++keys}-${Date.now()}`;

  beforeAll(async () => ({ app } = await carrierApp()));
  afterAll(async () => app.close());

  const subscribe = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', payload, headers });

  it('answers GET /health', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('creates a dispatched shipment with 201', async () => {
    const res = await createShipment(app, newKey());
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    const body = res.json<ShipmentBody>();
    expect(body).toMatchObject({ orderId: 'ord-1', status: 'dispatched' });
    expect(body.shipmentId).toMatch(/^shp_[0-9a-f]{24}$/);
    expect(body.trackingNumber).toMatch(/^1Z[0-9A-Z]{16}$/);
  });

  it('keeps the client reference of a shipment and answers with it', async () => {
    const res = await createShipment(app, newKey(), { orderId: 'ord-1', address: ADDRESS, reference: 'wh-order-7' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ orderId: 'ord-1', reference: 'wh-order-7' });
  });

  it('replays the same shipment for the same Idempotency-Key and body, marked Idempotent-Replayed', async () => {
    const key = newKey();
    const first = await createShipment(app, key);
    // The same JSON with keys in another order is the same request.
    const again = await createShipment(app, key, { address: { ...ADDRESS }, orderId: 'ord-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });

  it('creates distinct shipments for distinct keys', async () => {
    const a = await createShipment(app, newKey());
    const b = await createShipment(app, newKey());
    expect(a.json<ShipmentBody>().shipmentId).not.toBe(b.json<ShipmentBody>().shipmentId);
  });

  it('refuses an Idempotency-Key reused with a different body with 422', async () => {
    const key = newKey();
    await createShipment(app, key);
    const res = await createShipment(app, key, { orderId: 'ord-2', address: ADDRESS });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) as string } });
  });

  it('requires an Idempotency-Key', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/shipments', payload: { orderId: 'ord-1', address: ADDRESS } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED', message: expect.any(String) as string } });
  });

  it.each([
    ['no orderId', { address: ADDRESS }, /orderId/],
    ['an empty orderId', { orderId: '', address: ADDRESS }, /orderId/],
    ['no address', { orderId: 'ord-1' }, /address/],
    ['an address without a city', { orderId: 'ord-1', address: { ...ADDRESS, city: undefined } }, /address\.city/],
    ['a country that is not ISO 3166 alpha-2', { orderId: 'ord-1', address: { ...ADDRESS, country: 'USA' } }, /address\.country/],
    ['a line with quantity 0', { orderId: 'ord-1', address: ADDRESS, lines: [{ sku: 'MUG-01', quantity: 0 }] }, /lines\.0\.quantity/],
    ['a reference that is not a string', { orderId: 'ord-1', address: ADDRESS, reference: 7 }, /reference/],
    ['a reference with a control character', { orderId: 'ord-1', address: ADDRESS, reference: 'a\nb' }, /reference/],
    ['a reference over 200 characters', { orderId: 'ord-1', address: ADDRESS, reference: 'r'.repeat(201) }, /reference/],
    ['a JSON array', [1, 2], /JSON object/],
  ])('refuses a shipment with %s with 400 INVALID_REQUEST naming the field', async (_what, body, field) => {
    const res = await createShipment(app, newKey(), body);
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(field);
  });

  it('does not record a refused request, so the same key works once the body is fixed', async () => {
    const key = newKey();
    expect((await createShipment(app, key, { orderId: 'ord-1' })).statusCode).toBe(400);
    expect((await createShipment(app, key)).statusCode).toBe(201);
  });

  it.each([
    ['malformed JSON', '{"orderId": ', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['a text/plain body', 'orderId=1', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with its code', async (_what, payload, headers, status, code) => {
    const res = await app.inject({ method: 'POST', url: '/v1/shipments', payload, headers: { ...headers, 'idempotency-key': newKey() } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) as string } });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) as string } });
  });

  it('refuses a subscription to an unknown shipment with 404', async () => {
    const res = await subscribe({ url: 'http://127.0.0.1:9/hooks', shipmentId: 'shp_unknown' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'SHIPMENT_NOT_FOUND', message: expect.any(String) as string } });
  });

  it.each([
    ['a URL that is not http(s)', { url: 'ftp://example.com/x', shipmentId: 'shp_x' }, /url/],
    ['no shipmentId', { url: 'http://localhost:3000/webhooks/logistics' }, /shipmentId/],
  ])('refuses a subscription with %s with 400', async (_what, payload, field) => {
    const res = await subscribe(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(field);
  });

  it('subscribes once per (url, shipment): a second registration returns the first subscription', async () => {
    const { shipmentId } = (await createShipment(app, newKey())).json<ShipmentBody>();
    const first = await subscribe({ url: 'http://localhost:3000/webhooks/logistics', shipmentId });
    const second = await subscribe({ url: 'http://LOCALHOST:3000/webhooks/logistics', shipmentId });
    expect(first.statusCode).toBe(201);
    expect(first.json<{ subscriptionId: string }>().subscriptionId).toMatch(/^sub_/);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const shipment = await app.inject({ method: 'GET', url: `/v1/shipments/${shipmentId}` });
    expect(shipment.json<{ subscriptions: unknown[] }>().subscriptions).toHaveLength(1);
  });

  it('replays a subscription for its Idempotency-Key and refuses the key with another body', async () => {
    const { shipmentId } = (await createShipment(app, newKey())).json<ShipmentBody>();
    const key = newKey();
    const first = await subscribe({ url: 'http://127.0.0.1:9/a', shipmentId }, { 'idempotency-key': key });
    const again = await subscribe({ url: 'http://127.0.0.1:9/a', shipmentId }, { 'idempotency-key': key });
    const other = await subscribe({ url: 'http://127.0.0.1:9/b', shipmentId }, { 'idempotency-key': key });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(other.statusCode).toBe(422);
  });

  it('shows a shipment with its subscriptions and deliveries, and 404 for an unknown one', async () => {
    const created = (await createShipment(app, newKey())).json<ShipmentBody>();
    const res = await app.inject({ method: 'GET', url: `/v1/shipments/${created.shipmentId}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ...created, address: ADDRESS, subscriptions: [], deliveries: [] });
    const missing = await app.inject({ method: 'GET', url: '/v1/shipments/shp_nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('SHIPMENT_NOT_FOUND');
  });
});
