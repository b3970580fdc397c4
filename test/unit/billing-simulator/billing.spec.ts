import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger } from '@app/common';
import { createBillingApp } from '../../../apps/billing-simulator/src/create-app';
import { fromUnits, toUnits } from '../../../apps/billing-simulator/src/invoices/money';

const body = (extra: Record<string, unknown> = {}) => ({
  customer: { email: 'ana@acme.io', name: 'Ana' },
  currency: 'EUR',
  reference: 'order-1',
  lines: [
    { description: 'Mug', quantity: 2, unitAmount: '12.5' },
    { description: 'Tea', quantity: 3, unitAmount: '0.333' },
  ],
  ...extra,
});

describe('billing simulator (HTTP through inject)', () => {
  let app: NestFastifyApplication;
  const post = (payload: unknown, key?: string) =>
    app.inject({ method: 'POST', url: '/v1/invoices', headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) }, payload: JSON.stringify(payload) });

  beforeEach(async () => {
    app = await createBillingApp({ logger: new JsonLogger('billing-test', 'error') });
    await app.getHttpAdapter().getInstance().ready();
  });
  afterEach(() => app.close());

  it('creates an invoice with a number and an exact total', async () => {
    const res = await post(body(), 'k-1');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ number: 'INV-000001', total: '25.999', currency: 'EUR', reference: 'order-1', status: 'open', idempotencyKey: 'k-1' });
  });

  it('answers the same key with the same invoice (Idempotent-Replayed), and keeps one invoice', async () => {
    const first = await post(body(), 'k-1');
    // The same JSON in another key order is the same request.
    const again = await post({ lines: body().lines, currency: 'EUR', reference: 'order-1', customer: { name: 'Ana', email: 'ana@acme.io' } }, 'k-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const list = await app.inject({ method: 'GET', url: '/v1/invoices' });
    expect(list.json()).toMatchObject({ count: 1 });
  });

  it.each([
    { name: 'the same key with other parameters', key: 'k-1', payload: body({ currency: 'USD' }), status: 409, code: 'IDEMPOTENCY_KEY_REUSED' },
    { name: 'no key', key: undefined, payload: body(), status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' },
    { name: 'a key with a control character', key: 'k\u0001', payload: body(), status: 400, code: 'IDEMPOTENCY_KEY_INVALID' },
    { name: 'a float amount', key: 'k-2', payload: body({ lines: [{ description: 'x', quantity: 1, unitAmount: 1.5 }] }), status: 400, code: 'INVALID_REQUEST' },
    { name: 'no lines', key: 'k-3', payload: body({ lines: [] }), status: 400, code: 'INVALID_REQUEST' },
  ])('refuses $name with $code', async ({ key, payload, status, code }) => {
    await post(body(), 'k-1');
    const res = await post(payload, key);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code } });
    expect(typeof res.json<{ error: { message: unknown } }>().error.message).toBe('string');
  });

  it('lets a refused request be corrected under the same key (errors are not kept)', async () => {
    expect((await post(body({ lines: [] }), 'k-9')).statusCode).toBe(400);
    expect((await post(body(), 'k-9')).statusCode).toBe(201);
  });

  it('lists invoices as JSON, one by id, and as an HTML page with escaped text', async () => {
    const created = (await post(body({ reference: '<b>order</b>' }), 'k-1')).json<{ id: string }>();
    expect((await app.inject({ method: 'GET', url: `/v1/invoices/${created.id}` })).json()).toMatchObject({ id: created.id });
    expect((await app.inject({ method: 'GET', url: '/v1/invoices/in_nope' })).json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
    const page = await app.inject({ method: 'GET', url: '/invoices' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('INV-000001');
    expect(page.body).toContain('&lt;b&gt;order&lt;/b&gt;');
  });

  it.each([
    ['12.5', '12.50'],
    ['0.333', '0.333'],
    ['7', '7.00'],
    ['0.0001', '0.0001'],
  ])('money: %s → %s', (input, out) => {
    expect(fromUnits(toUnits(input))).toBe(out);
  });
});
