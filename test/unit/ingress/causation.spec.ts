import { join } from 'node:path';
import { EnvReader, headerString } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import { loadProviders, NORMALIZERS, WebhookIngest } from '@app/webhooks';
import { ROOT, sample, SECRETS, signed } from '../../support/ingress';

/**
 * A carrier's shipment webhook echoes the reference the fulfillment agent created the shipment with (the
 * order event's id); the ingress makes it the record's ce_causationid, so `hookline events trace` of the
 * order reaches the shipment updates.
 */
const shipped = (data: Record<string, unknown> = {}) => {
  const body = JSON.parse(sample('logistics.shipment.shipped').toString()) as { data: Record<string, unknown> };
  return { ...body, data: { ...body.data, ...data } };
};

describe('logistics-shipment normalizer: the echoed reference is the causation', () => {
  it.each([
    ['a string reference', { reference: 'wh-order-7' }, 'wh-order-7'],
    ['a numeric reference', { reference: 4711 }, '4711'],
    ['no reference (a shipment created without one)', {}, undefined],
    ['a null reference', { reference: null }, undefined],
    ['a reference that is not a string or number', { reference: { id: 'x' } }, undefined],
  ])('%s', (_, data, causationId) => {
    const normalized = NORMALIZERS['logistics-shipment'](shipped(data));
    expect(normalized.causationId).toBe(causationId);
    expect(normalized.data).not.toHaveProperty('reference'); // the contract's data is unchanged
  });

  it('gives no causation for the other normalizers', () => {
    const order = JSON.parse(sample('shop.orders-create').toString()) as unknown;
    const lead = JSON.parse(sample('crm.lead.created').toString()) as unknown;
    expect([NORMALIZERS['shop-order'](order).causationId, NORMALIZERS['crm-lead'](lead).causationId]).toEqual([undefined, undefined]);
  });
});

describe('ingest: a normalizer\'s causation becomes ce_causationid', () => {
  const records: OutboundRecord[] = [];
  const ingest = new WebhookIngest(loadProviders(join(ROOT, 'config', 'providers.yaml'), new EnvReader(SECRETS)), { send: async (r) => void records.push(r) });
  beforeEach(() => (records.length = 0));

  const deliver = async (body: unknown) => {
    const raw = Buffer.from(JSON.stringify(body));
    const outcome = await ingest.handle({ provider: 'logistics', rawBody: raw, headers: signed('logistics', raw, { id: 'msg_causation_1' }), clientIp: '127.0.0.1' });
    expect(outcome).toEqual({ kind: 'accepted', id: 'msg_causation_1', topic: 'shipments.updated' });
    expect(records).toHaveLength(1);
    return records[0].message.headers;
  };

  it.each([
    ['an echoed reference', 'wh-order-7', 'wh-order-7'],
    ['a reference with a control character (dropped; the event is still accepted)', 'wh\norder', undefined],
    ['a reference over 200 characters (dropped)', 'r'.repeat(201), undefined],
    ['no reference', undefined, undefined],
  ])('%s', async (_, reference, causation) => {
    const headers = await deliver(shipped(reference === undefined ? {} : { reference }));
    expect(headerString(headers, 'ce_causationid')).toBe(causation);
    expect(headerString(headers, 'ce_id')).toBe('msg_causation_1'); // the provider's own id is untouched
    expect(headerString(headers, 'ce_traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
