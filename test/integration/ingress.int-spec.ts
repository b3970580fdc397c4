import { Kafka as CloudEventsKafka } from 'cloudevents';
import type { Kafka } from 'kafkajs';
import { header, readUntil, testKafka } from '../support/kafka';
import { sample, signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';

describe('ingress → Kafka (real broker)', () => {
  let ingress: RunningIngress;
  let kafka: Kafka;

  beforeAll(async () => {
    ingress = await startIngress();
    kafka = testKafka();
  });
  afterAll(async () => ingress.close());

  const post = (provider: string, body: Buffer, headers: Record<string, string>) =>
    ingress.app.inject({ method: 'POST', url: `/webhooks/${provider}`, payload: body, headers });

  it('writes a signed CRM lead to leads.created as a binary-mode CloudEvent before answering 202', async () => {
    const body = sample('crm.lead.created');
    const res = await post('crm', body, { ...signed('crm', body), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(res.statusCode).toBe(202);

    const [rec] = await readUntil(kafka, [`${ingress.prefix}leads.created`], (r) => r.length >= 1);
    expect(rec).toBeDefined();
    expect(String(rec.message.key)).toBe('ada.lovelace@analytical-engines.io');
    const headers = Object.fromEntries(Object.keys(rec.message.headers ?? {}).map((k) => [k, header(rec.message, k) ?? '']));
    const message = { key: String(rec.message.key), value: rec.message.value, headers, body: rec.message.value };
    const event = CloudEventsKafka.toEvent(message) as unknown as Record<
      string,
      unknown
    >;
    expect(event).toMatchObject({
      specversion: '1.0',
      id: 'evt_01HZX3K6W8Q2',
      source: '/webhooks/crm',
      type: 'crm.lead.created',
      subject: 'lead_7781',
      datacontenttype: 'application/json',
      deliveryid: 'evt_01HZX3K6W8Q2',
    });
    expect(String(event.traceparent)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(Date.parse(String(event.receivedat))).not.toBeNaN();
    expect(event.data).toMatchObject({ email: 'Ada.Lovelace@Analytical-Engines.io', crmId: 'lead_7781', companySize: 120 });
  });

  it.each(['snappy', 'zstd'])('with KAFKA_COMPRESSION=%s writes compressed produce requests that read back unchanged', async (codec) => {
    const compressed = await startIngress({ env: { KAFKA_COMPRESSION: codec } });
    try {
      const bodies = [0, 1, 2].map((i) => Buffer.from(JSON.stringify({ ...JSON.parse(sample('crm.lead.created').toString()), id: `evt_${codec}_${i}` })));
      const answers = await Promise.all(bodies.map((body) => compressed.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: signed('crm', body) })));
      expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202]);
      const recs = await readUntil(kafka, [`${compressed.prefix}leads.created`], (r) => r.length >= 3);
      expect(recs.map((r) => header(r.message, 'ce_id')).sort()).toEqual([0, 1, 2].map((i) => `evt_${codec}_${i}`));
      expect(JSON.parse(String(recs[0].message.value))).toMatchObject({ crmId: 'lead_7781', companySize: 120 });
    } finally {
      await compressed.close();
    }
  });

  it('gives a provider retry of the same delivery the same ce_id, and an id-less provider a content hash', async () => {
    const body = sample('shop.orders-create');
    const h = signed('shop', body, { headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'shop-delivery-7' } });
    const first = await post('shop', body, h);
    const retry = await post('shop', body, h);
    expect(first.json()).toEqual(retry.json());

    const topic = `${ingress.prefix}orders.placed`;
    const recs = await readUntil(kafka, [topic], (r) => r.length >= 2);
    expect(recs.map((r) => header(r.message, 'ce_id'))).toEqual(['shop-delivery-7', 'shop-delivery-7']);
    expect(new Set(recs.map((r) => r.partition)).size).toBe(1);

    const noId = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), admin_graphql_api_id: 'gid://shopify/Order/99' }));
    const hNoId = signed('shop', noId, { headers: { 'x-shopify-topic': 'orders/create' } });
    const a = (await post('shop', noId, hNoId)).json<{ id: string }>();
    const b = (await post('shop', noId, hNoId)).json<{ id: string }>();
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(b.id).toBe(a.id);
  });
});
