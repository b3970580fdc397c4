import { ingressWithFake, sample, signed } from '../../support/ingress';

it('probe', async () => {
  const { app, producer, logs } = await ingressWithFake();
  const out: string[] = [];
  const show = async (what: string, opts: Parameters<typeof app.inject>[0]) => {
    try {
      const res = await app.inject(opts as never);
      out.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)} records=${producer.records.length} ${producer.records.map((r) => String(r.message.headers?.ce_type)).join()}`);
    } catch (e) {
      out.push(`${what}: THREW ${String(e)}`);
    }
    producer.records = [];
  };
  const D = 100000;
  const deepArr = '['.repeat(D) + ']'.repeat(D);
  const cases: [string, string, string][] = [
    ['crm company deep', 'crm', `{"id":"x","type":"lead.created","data":{"email":"a@b.co","company":${deepArr}}}`],
    ['crm company deep 3000', 'crm', `{"id":"x","type":"lead.created","data":{"email":"a@b.co","company":${'['.repeat(3000) + ']'.repeat(3000)}}}`],
    ['shop qty deep', 'shop', sample('shop.orders-create').toString().replace(/"quantity":\s*\d+/, `"quantity":${deepArr}`)],
    ['logistics seq deep', 'logistics', sample('logistics.shipment.shipped').toString().replace(/"order_id"/, `"sequence":${deepArr},"order_id"`)],
    ['slack challenge deep', 'slack', `{"type":"url_verification","challenge":${deepArr}}`],
    ['github 1e400', 'github', `1e400`],
  ];
  for (const [what, p, text] of cases) {
    const body = Buffer.from(text);
    await show(what, { method: 'POST', url: `/webhooks/${p}`, payload: body, headers: signed(p, body, { headers: { 'x-shopify-topic': 'orders/create', 'x-github-event': 'push' } }) });
  }
  out.push(`BOM toString: ${JSON.stringify(Buffer.from([0xef, 0xbb, 0xbf, 0x31]).toString())}`);
  const u16 = Buffer.from('\ufeff{"id":"a","type":"x"}', 'utf16le');
  await show('utf16', { method: 'POST', url: '/webhooks/stripe', payload: u16, headers: signed('stripe', u16, { headers: { 'content-type': 'application/json; charset=utf-16' } }) });
  const lead = sample('crm.lead.created');
  const sigs: Record<string, string[]> = {
    crm: ['', 'zz', 'ab'.repeat(31), 'ab'.repeat(33), 'AB'.repeat(32), 'g'.repeat(64), 'sha256=' + 'ab'.repeat(32), ' ' + 'ab'.repeat(32)],
  };
  for (const s of sigs.crm) await show(`crm sig ${JSON.stringify(s).slice(0, 30)}`, { method: 'POST', url: '/webhooks/crm', payload: lead, headers: { ...signed('crm', lead), 'x-crm-signature': s } });
  await show('live', { method: 'GET', url: '/health/live' });
  console.log(out.join('\n'));
  console.log(logs.filter((l) => l.includes('"error"')).map((l) => l.slice(0, 400)).join('\n'));
  await app.close();
});
