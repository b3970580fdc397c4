import { normalizeEmail } from '@app/contracts';

/**
 * Turns a mission provider's payload into our canonical shape (checked afterwards against the topic's
 * contract class). A normalizer throws NormalizeError when the payload lacks what it needs; the ingress
 * then quarantines the event with that reason.
 */
export class NormalizeError extends Error {}

export interface Normalized {
  data: Record<string, unknown>;
  /** Partition key: keeps one entity's events in order and duplicates on one partition. */
  key: string;
  subject?: string;
  /**
   * The id of the event this one follows from, as the provider states it: a reference we gave it that it
   * echoes (a carrier's client reference). Authenticated with the rest of the body, so it is the provider's
   * word, not a guess; the ingress writes it as ce_causationid, which `hookline events trace` follows.
   */
  causationId?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown, what: string): Obj => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NormalizeError(`${what} must be an object`);
  return v as Obj;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

function crmLead(body: unknown): Normalized {
  const d = obj(obj(body, 'body').data, 'data');
  const email = str(d.email);
  if (!email) throw new NormalizeError('data.email is missing');
  const crmId = str(d.id) ?? '';
  return {
    data: {
      crmId,
      email: email.trim(),
      firstName: opt(d.first_name),
      lastName: opt(d.last_name),
      company: opt(d.company),
      companySize: opt(d.company_size),
      title: opt(d.title),
      country: typeof d.country === 'string' ? d.country.toUpperCase() : opt(d.country),
      phone: opt(d.phone),
      source: opt(d.source),
    },
    key: normalizeEmail(email),
    subject: crmId || undefined,
  };
}

/**
 * Shopify's order id. Shopify sends `id` as a JSON number that can exceed 2^53, where JSON.parse rounds
 * it; `admin_graphql_api_id` ("gid://shopify/Order/<id>") carries the exact digits.
 */
function shopOrderId(o: Obj): string {
  const gid = typeof o.admin_graphql_api_id === 'string' ? /\/(\d+)$/.exec(o.admin_graphql_api_id)?.[1] : undefined;
  if (gid) return gid;
  if (typeof o.id === 'string' && o.id.length > 0) return o.id;
  if (typeof o.id === 'number' && Number.isSafeInteger(o.id)) return String(o.id);
  throw new NormalizeError(typeof o.id === 'number' ? 'id exceeds 2^53 and no admin_graphql_api_id was sent' : 'id is missing');
}

/** Shopify's order webhook (orders/create). */
function shopOrder(body: unknown): Normalized {
  const o = obj(body, 'body');
  const orderId = shopOrderId(o);
  const customer = o.customer && typeof o.customer === 'object' ? (o.customer as Obj) : {};
  const address = obj(o.shipping_address, 'shipping_address');
  const items = Array.isArray(o.line_items) ? o.line_items : [];
  const name = [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(' ');
  return {
    data: {
      orderId,
      customer: { email: str(o.email) ?? str(o.contact_email) ?? str(customer.email), name: name || undefined },
      currency: str(o.currency),
      total: str(o.total_price),
      lines: items.map((i: unknown) => {
        const l = obj(i, 'line_items[]');
        return { sku: str(l.sku) ?? str(l.variant_id) ?? '', title: str(l.title) ?? str(l.name), quantity: l.quantity, unitPrice: str(l.price) };
      }),
      shippingAddress: {
        name: str(address.name) ?? [str(address.first_name), str(address.last_name)].filter(Boolean).join(' '),
        line1: str(address.address1),
        line2: opt(str(address.address2)),
        city: str(address.city),
        postalCode: str(address.zip),
        country: str(address.country_code),
      },
    },
    key: orderId,
    subject: orderId,
  };
}

/**
 * A Standard Webhooks envelope { type: "shipment.<status>", timestamp, data: {...} } from a carrier.
 * `data.reference` echoes the reference the shipment was created with: the fulfillment agent passes the
 * id of the order event it dispatched for, so the update is that event's follow-up (its causation).
 */
function logisticsShipment(body: unknown): Normalized {
  const b = obj(body, 'body');
  const d = obj(b.data, 'data');
  const orderId = str(d.order_id);
  if (!orderId) throw new NormalizeError('data.order_id is missing');
  const type = str(b.type) ?? '';
  return {
    data: {
      orderId,
      shipmentId: str(d.shipment_id),
      status: str(d.status) ?? type.replace(/^shipment\./, ''),
      trackingNumber: opt(str(d.tracking_number)),
      occurredAt: str(d.occurred_at) ?? str(b.timestamp),
      sequence: opt(d.sequence),
      detail: opt(str(d.detail)),
    },
    key: orderId,
    subject: orderId,
    causationId: opt(str(d.reference)),
  };
}

export const NORMALIZERS = {
  'crm-lead': crmLead,
  'shop-order': shopOrder,
  'logistics-shipment': logisticsShipment,
} as const satisfies Record<string, (body: unknown) => Normalized>;

export type NormalizerName = keyof typeof NORMALIZERS;
