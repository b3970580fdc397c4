import { randomBytes, randomUUID } from 'node:crypto';
import { SCHEME_PRESETS, type SchemeConfig } from '@app/webhooks';
import { suffixEmail, suffixString, type JsonObject } from './json';
import { nextShopOrder } from './shop-order';

/** How one provider signs and identifies its webhooks, as the ingress's config/providers.yaml expects. */
export interface ProviderSpec {
  scheme: SchemeConfig;
  /** Event name → sample file in tools/webhook/samples (without .json). */
  samples: Record<string, string>;
  signatureHeader: string;
  /** What precedes the digest inside the signature header ('' when the value is the digest). */
  digestMarker: string;
  encoding: 'hex' | 'base64';
  /** Whether the signature covers a timestamp (so --stale means something). */
  timestamped: boolean;
  /** Where the ingress reads the event id: a body field, or a header the provider makes per delivery. */
  id: { body: string } | { header: string };
  /** A fresh per-delivery id for header-identified providers (also the Standard Webhooks webhook-id). */
  newDeliveryId: () => string;
  /** Headers besides the signature: the event type or delivery id where the provider sends them. */
  headers: (event: string, deliveryId: string) => Record<string, string>;
  /** Makes event i (1-based) of a --count run distinct while keeping it valid for the ingress normalizers. */
  vary: (payload: JsonObject, i: number) => JsonObject;
}

const same = (payload: JsonObject): JsonObject => payload;
const noHeaders = (): Record<string, string> => ({});

export const PROVIDERS = {
  crm: {
    scheme: SCHEME_PRESETS.crm,
    samples: { 'lead.created': 'crm.lead.created' },
    signatureHeader: 'x-crm-signature',
    digestMarker: '',
    encoding: 'hex',
    timestamped: false,
    id: { body: 'id' },
    newDeliveryId: randomUUID,
    headers: noHeaders,
    vary: (p, i) => suffixEmail(suffixString(p, 'id', i), i),
  },
  shop: {
    scheme: SCHEME_PRESETS.shopify,
    samples: { 'orders/create': 'shop.orders-create' },
    signatureHeader: 'x-shopify-hmac-sha256',
    digestMarker: '',
    encoding: 'base64',
    timestamped: false,
    id: { header: 'x-shopify-webhook-id' },
    newDeliveryId: randomUUID,
    headers: (event, deliveryId) => ({ 'x-shopify-topic': event, 'x-shopify-webhook-id': deliveryId }),
    vary: nextShopOrder,
  },
  logistics: {
    scheme: SCHEME_PRESETS.standardWebhooks,
    samples: { 'shipment.shipped': 'logistics.shipment.shipped', 'shipment.delivered': 'logistics.shipment.delivered' },
    signatureHeader: 'webhook-signature',
    digestMarker: 'v1,',
    encoding: 'base64',
    timestamped: true,
    id: { header: 'webhook-id' },
    newDeliveryId: () => `msg_cli_${randomBytes(8).toString('hex')}`,
    headers: noHeaders, // webhook-id comes with the signature headers
    vary: same,
  },
  github: {
    scheme: SCHEME_PRESETS.github,
    samples: { push: 'github.push' },
    signatureHeader: 'x-hub-signature-256',
    digestMarker: 'sha256=',
    encoding: 'hex',
    timestamped: false,
    id: { header: 'x-github-delivery' },
    newDeliveryId: randomUUID,
    headers: (event, deliveryId) => ({ 'x-github-event': event, 'x-github-delivery': deliveryId }),
    vary: same,
  },
  stripe: {
    scheme: SCHEME_PRESETS.stripe,
    samples: { 'payment_intent.succeeded': 'stripe.payment_intent.succeeded' },
    signatureHeader: 'stripe-signature',
    digestMarker: 'v1=',
    encoding: 'hex',
    timestamped: true,
    id: { body: 'id' },
    newDeliveryId: randomUUID,
    headers: noHeaders,
    vary: (p, i) => suffixString(p, 'id', i),
  },
  slack: {
    scheme: SCHEME_PRESETS.slack,
    samples: { event_callback: 'slack.event_callback', url_verification: 'slack.url_verification' },
    signatureHeader: 'x-slack-signature',
    digestMarker: 'v0=',
    encoding: 'hex',
    timestamped: true,
    id: { body: 'event_id' },
    newDeliveryId: randomUUID,
    headers: noHeaders,
    vary: (p, i) => suffixString(p, 'event_id', i),
  },
} as const satisfies Record<string, ProviderSpec>;

export type ProviderName = keyof typeof PROVIDERS;

export function isProvider(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name);
}

export function providerSpec(name: ProviderName): ProviderSpec {
  return PROVIDERS[name];
}
