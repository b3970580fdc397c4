/** A JSON object as parsed from a payload file; bigint values are written back as exact JSON numbers. */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `field` with "-<i>" appended, when it is a string; otherwise the payload unchanged. */
export function suffixString(payload: JsonObject, field: string, i: number): JsonObject {
  const value = payload[field];
  return typeof value === 'string' ? { ...payload, [field]: `${value}-${i}` } : payload;
}

/** data.email with "-<i>" appended to its local part (ada@x.io → ada-2@x.io): a distinct, valid address. */
export function suffixEmail(payload: JsonObject, i: number): JsonObject {
  const data = payload.data;
  if (!isObject(data) || typeof data.email !== 'string') return payload;
  const at = data.email.lastIndexOf('@');
  const email = at > 0 ? `${data.email.slice(0, at)}-${i}${data.email.slice(at)}` : `${data.email}-${i}`;
  return { ...payload, data: { ...data, email } };
}

const BIGINT_MARK = '\u0000bigint:';

/** JSON.stringify that writes bigint values as plain numbers with every digit (JSON.parse would round them). */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIGINT_MARK}${v.toString()}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
