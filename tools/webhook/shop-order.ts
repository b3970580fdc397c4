import type { JsonObject } from './json';

const GID = /^(gid:\/\/shopify\/Order\/)(\d+)$/;

/**
 * Order i of a --count run: Shopify order ids are 64-bit numbers that JSON.parse rounds, so the exact
 * digits are taken from admin_graphql_api_id (as the ingress does), incremented by i, and written back
 * to both fields as exact digits. An id without digits gets "-<i>" instead.
 */
export function nextShopOrder(payload: JsonObject, i: number): JsonObject {
  const gid = typeof payload.admin_graphql_api_id === 'string' ? GID.exec(payload.admin_graphql_api_id) : null;
  const digits = gid?.[2] ?? (typeof payload.id === 'number' && Number.isSafeInteger(payload.id) ? String(payload.id) : undefined);
  if (digits === undefined) {
    return typeof payload.id === 'string' ? { ...payload, id: `${payload.id}-${i}` } : payload;
  }
  const next = BigInt(digits) + BigInt(i);
  return {
    ...payload,
    id: next,
    ...(gid ? { admin_graphql_api_id: `${gid[1]}${next.toString()}` } : {}),
  };
}
