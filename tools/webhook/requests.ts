import type { SendOptions } from './args';
import { parseObject, eventBodies } from './payload';
import { providerSpec, type ProviderSpec } from './providers';
import { corruptSignature, signatureHeaders, STALE_MS } from './signing';

/** One HTTP request to send. Its headers hold the signature: never print them. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The id the ingress will read (body field or header), for the printed line. */
  id: string;
  /** The second copy of an event under --duplicate. */
  duplicate: boolean;
}

export interface Plan {
  requests: WebhookRequest[];
  /** Said to the user before sending. */
  notes: string[];
  /** Whether the ingress should refuse these requests (401) rather than accept them. */
  expectRejection: boolean;
}

/**
 * Every request of a run, signed at nowMs (or 10 minutes earlier under --stale). Header ids are fresh per
 * run (newDeliveryId) and suffixed -<i> under --count; body ids come from the payload (see eventBodies).
 */
export function planRequests(options: SendOptions, raw: Buffer, secret: string, nowMs: number, newDeliveryId?: () => string): Plan {
  const spec = providerSpec(options.provider);
  const notes: string[] = [];
  const stale = options.stale && spec.timestamped;
  if (options.stale && !stale) notes.push(`the ${options.provider} signature carries no timestamp: --stale changes nothing, sending normally`);
  const signedAt = stale ? nowMs - STALE_MS : nowMs;
  const baseId = (newDeliveryId ?? spec.newDeliveryId)();
  const url = `${options.url}/webhooks/${options.provider}`;

  const requests = eventBodies(options, raw).flatMap((body, k): WebhookRequest[] => {
    const deliveryId = options.count === 1 ? baseId : `${baseId}-${k + 1}`;
    let headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'hookline-webhook-cli',
      ...spec.headers(options.event, deliveryId),
      ...signatureHeaders(spec, secret, body, signedAt, deliveryId),
    };
    if (options.badSignature) headers = corruptSignature(spec, headers);
    const request = { url, headers, body, id: eventId(spec, headers, body), duplicate: false };
    return options.duplicate ? [request, { ...request, duplicate: true }] : [request];
  });
  return { requests, notes, expectRejection: options.badSignature || stale };
}

function eventId(spec: ProviderSpec, headers: Record<string, string>, body: Buffer): string {
  if ('header' in spec.id) return headers[spec.id.header] ?? '-';
  const value = parseObject(body, 'payload')[spec.id.body];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '(none: the ingress hashes the body)';
}
