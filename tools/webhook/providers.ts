import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProviderDefinitions, schemeTraits, type ProviderDefinition, type SchemeConfig } from '@app/webhooks';
import { suffixEmail, suffixString, type JsonObject } from './json';
import { nextShopOrder } from './shop-order';

/**
 * How one provider signs and identifies its webhooks. Everything but the samples and how to vary them
 * comes from the ingress's own providers file (PROVIDERS_FILE, default config/providers.yaml), so the CLI
 * cannot drift from what the ingress expects.
 */
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

/** What only the CLI knows of a provider: its sample payloads and how to make event i distinct. */
interface CliExtras {
  samples: Record<string, string>;
  vary: (payload: JsonObject, i: number) => JsonObject;
}

const same = (payload: JsonObject): JsonObject => payload;

const EXTRAS = {
  crm: { samples: { 'lead.created': 'crm.lead.created' }, vary: (p, i) => suffixEmail(suffixString(p, 'id', i), i) },
  shop: { samples: { 'orders/create': 'shop.orders-create' }, vary: nextShopOrder },
  logistics: { samples: { 'shipment.shipped': 'logistics.shipment.shipped', 'shipment.delivered': 'logistics.shipment.delivered' }, vary: same },
  github: { samples: { push: 'github.push' }, vary: same },
  stripe: { samples: { 'payment_intent.succeeded': 'stripe.payment_intent.succeeded' }, vary: (p, i) => suffixString(p, 'id', i) },
  slack: { samples: { event_callback: 'slack.event_callback', url_verification: 'slack.url_verification' }, vary: (p, i) => suffixString(p, 'event_id', i) },
} as const satisfies Record<string, CliExtras>;

export type ProviderName = keyof typeof EXTRAS;

function providersFile(): string {
  if (process.env.PROVIDERS_FILE) return resolve(process.env.PROVIDERS_FILE);
  // Run from source (ts-jest), or compiled into dist/tools/webhook.
  const candidates = [join(__dirname, '..', '..', 'config', 'providers.yaml'), join(__dirname, '..', '..', '..', 'config', 'providers.yaml')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

function spec(def: ProviderDefinition, extras: CliExtras): ProviderSpec {
  const traits = schemeTraits(def.scheme);
  if (!traits) throw new Error(`provider ${def.name} is unauthenticated: the CLI signs every request`);
  const idHeaders = def.id && 'header' in def.id ? def.id.header : [];
  const typeHeader = def.type && 'header' in def.type ? def.type.header[0] : undefined;
  return {
    scheme: def.scheme,
    samples: extras.samples,
    signatureHeader: traits.signatureHeader,
    digestMarker: traits.digestMarker,
    encoding: traits.encoding,
    timestamped: traits.timestamped,
    id: def.id && 'body' in def.id ? { body: def.id.body[0] } : { header: idHeaders[0] ?? 'x-delivery-id' },
    newDeliveryId: def.scheme.type === 'standard-webhooks' ? () => `msg_cli_${randomBytes(8).toString('hex')}` : randomUUID,
    headers: (event, deliveryId) => ({
      ...(typeHeader ? { [typeHeader]: event } : {}),
      ...Object.fromEntries(idHeaders.map((h) => [h, deliveryId])),
    }),
    vary: extras.vary,
  };
}

function load(): Record<ProviderName, ProviderSpec> {
  const defs = loadProviderDefinitions(providersFile());
  const out: Partial<Record<ProviderName, ProviderSpec>> = {};
  for (const [name, extras] of Object.entries(EXTRAS) as [ProviderName, CliExtras][]) {
    const def = defs.get(name);
    if (def) out[name] = spec(def, extras);
  }
  return out as Record<ProviderName, ProviderSpec>;
}

/** The providers the CLI has samples for, as the providers file declares them. */
export const PROVIDERS: Record<ProviderName, ProviderSpec> = load();

export function isProvider(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name);
}

export function providerSpec(name: ProviderName): ProviderSpec {
  return PROVIDERS[name];
}
