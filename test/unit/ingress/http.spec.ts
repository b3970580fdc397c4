import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, headerString } from '@app/common';
import { FakeProducer, ingressWithFake, sample, SECRETS, signed } from '../../support/ingress';

describe('POST /webhooks/:provider (HTTP, through Fastify inject)', () => {
  let app: NestFastifyApplication;
  let producer: FakeProducer;
  let logs: string[];

  beforeAll(async () => ({ app, producer, logs } = await ingressWithFake()));
  afterAll(async () => app.close());
  beforeEach(() => {
    producer.records = [];
    producer.failWith = undefined;
    producer.connected = true;
  });

  const post = (provider: string, body: Buffer | string, headers: Record<string, string | string[]>) =>
    app.inject({ method: 'POST', url: `/webhooks/${provider}`, payload: body, headers });

  it('accepts a signed CRM lead with 202 and writes one normalized record keyed by the normalized email', async () => {
    const body = sample('crm.lead.created');
    const res = await post('crm', body, signed('crm', body));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: 'evt_01HZX3K6W8Q2', status: 'accepted' });
    expect(producer.records).toHaveLength(1);
    const { topic, message } = producer.records[0];
    expect(topic).toBe('leads.created');
    expect(String(message.key)).toBe('ada.lovelace@analytical-engines.io');
    expect(headerString(message.headers, 'ce_type')).toBe('crm.lead.created');
    expect(headerString(message.headers, 'ce_id')).toBe('evt_01HZX3K6W8Q2');
    expect(JSON.parse(String(message.value))).toMatchObject({ crmId: 'lead_7781', country: 'GB', companySize: 120 });
  });

  it('keeps the exact order id digits that JSON numbers would round', async () => {
    const body = sample('shop.orders-create');
    const res = await post('shop', body, signed('shop', body, { headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-1' } }));
    expect(res.statusCode).toBe(202);
    expect(String(producer.records[0].message.key)).toBe('820982911946154508');
    expect(producer.records[0].topic).toBe('orders.placed');
  });

  it('passes GitHub deliveries through byte for byte, keyed and identified by the delivery id', async () => {
    const body = sample('github.push');
    const res = await post('github', body, signed('github', body, { headers: { 'x-github-event': 'push', 'x-github-delivery': 'd-42' } }));
    expect(res.statusCode).toBe(202);
    expect(producer.records[0].topic).toBe('webhooks.github');
    expect(Buffer.compare(producer.records[0].message.value as Buffer, body)).toBe(0);
    expect(String(producer.records[0].message.key)).toBe('d-42');
  });

  it('answers Slack url_verification with its challenge and writes nothing', async () => {
    const body = sample('slack.url_verification');
    const res = await post('slack', body, signed('slack', body));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect(producer.records).toHaveLength(0);
  });

  it('quarantines an authentic request it cannot map, with the reason and without signature headers', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'evt_q1', type: 'lead.exploded', data: {} }));
    const res = await post('crm', body, signed('crm', body));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: 'evt_q1', status: 'quarantined' });
    const { topic, message } = producer.records[0];
    expect(topic).toBe('webhooks.quarantine');
    const data = JSON.parse(String(message.value)) as { reason: string; headers: Record<string, string>; body: unknown };
    expect(data.reason).toMatch(/no mapping for event type "lead.exploded"/);
    expect(data.headers['x-crm-signature']).toBeUndefined();
    expect(data.body).toEqual({ id: 'evt_q1', type: 'lead.exploded', data: {} });
  });

  it('quarantines a mapped event whose payload fails its contract, naming the field', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'evt_q2', type: 'lead.created', data: { id: 'l1', email: 'not-an-email' } }));
    const res = await post('crm', body, signed('crm', body));
    expect(res.json()).toEqual({ id: 'evt_q2', status: 'quarantined' });
    expect(JSON.parse(String(producer.records[0].message.value))).toMatchObject({ reason: expect.stringMatching(/email/) as string });
  });

  const lead = sample('crm.lead.created');
  const stale = Date.now() - 10 * 60 * 1000;
  it.each([
    ['unknown provider', 'nope', lead, { 'content-type': 'application/json' }, 404, 'UNKNOWN_PROVIDER'],
    ['no signature', 'crm', lead, { 'content-type': 'application/json' }, 401, 'SIGNATURE_MISSING'],
    ['a wrong signature', 'crm', lead, { ...signed('crm', lead), 'x-crm-signature': 'ab'.repeat(32) }, 401, 'SIGNATURE_INVALID'],
    ['a tampered body', 'crm', Buffer.from(lead.toString().replace('Ada', 'Eve')), signed('crm', lead), 401, 'SIGNATURE_INVALID'],
    ['a duplicated signature header', 'crm', lead, { ...signed('crm', lead), 'x-crm-signature': ['ab', 'cd'] }, 401, 'SIGNATURE_INVALID'],
    ['a stale Slack timestamp', 'slack', lead, signed('slack', lead, { nowMs: stale }), 401, 'TIMESTAMP_STALE'],
    ['a stale Stripe timestamp', 'stripe', lead, signed('stripe', lead, { nowMs: stale }), 401, 'TIMESTAMP_STALE'],
    ['a future Standard Webhooks timestamp', 'logistics', lead, signed('logistics', lead, { nowMs: Date.now() + 3_600_000 }), 401, 'TIMESTAMP_STALE'],
    ['a non-numeric Slack timestamp', 'slack', lead, { ...signed('slack', lead), 'x-slack-request-timestamp': 'yesterday' }, 401, 'TIMESTAMP_INVALID'],
    ['a text/plain body', 'crm', lead, { ...signed('crm', lead), 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', 'crm', lead, { 'x-crm-signature': signed('crm', lead)['x-crm-signature'] }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['signed but malformed JSON', 'crm', Buffer.from('{"id": '), signed('crm', Buffer.from('{"id": ')), 400, 'MALFORMED_JSON'],
    ['signed but invalid UTF-8', 'crm', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), signed('crm', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), 400, 'MALFORMED_JSON'],
  ])('refuses %s with its catalogue code', async (_what, provider, body, headers, status, code) => {
    const res = await post(provider, body, headers);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) as string } });
    expect(producer.records).toHaveLength(0);
  });

  it('refuses a body over the limit with 413 before reading it all', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const res = await post('crm', big, signed('crm', big));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) as string } });
  });

  it.each([
    ['KAFKA_UNAVAILABLE', new AppError('KAFKA_UNAVAILABLE')],
    ['OVERLOADED', new AppError('OVERLOADED')],
  ])('answers 503 with Retry-After when the producer reports %s', async (code, error) => {
    producer.failWith = error;
    const res = await post('crm', lead, signed('crm', lead));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ error: { code, message: expect.any(String) as string } });
  });

  it('answers unknown routes with the catalogue 404 shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) as string } });
  });

  it('is ready only while the producer is connected', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    producer.connected = false;
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('exposes request and verification-failure counters in Prometheus format', async () => {
    await post('crm', lead, { 'content-type': 'application/json', 'x-crm-signature': 'zz' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/hookline_ingress_requests_total\{[^}]*provider="crm"[^}]*outcome="SIGNATURE_INVALID"[^}]*\} \d+/);
    expect(res.body).toMatch(/hookline_ingress_verification_failures_total\{[^}]*reason="malformed_signature"/);
    expect(res.body).toMatch(/hookline_ingress_in_flight_records/);
  });

  it('never writes a secret or a signature into its logs', () => {
    const all = logs.join('\n');
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(all).not.toContain(signed('crm', lead)['x-crm-signature']);
  });
});
