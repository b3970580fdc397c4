import { decodeStandardWebhooksSecret } from './standard-webhooks-scheme';
import type { SchemeConfig } from './types';

/**
 * Turns configured secrets into HMAC keys once, at start-up, so a bad secret
 * fails the deploy instead of failing every request. Messages name the secret by
 * position only: secrets must never reach logs.
 */
export function secretKeys(type: SchemeConfig['type'], secrets: readonly string[]): Buffer[] {
  // Config may come from env/YAML: a bare string here is a misconfiguration, not a list.
  const list: unknown = secrets;
  if (!Array.isArray(list) || secrets.length === 0) {
    throw new Error(`signature scheme '${type}' needs at least one secret`);
  }
  return secrets.map((secret, index) => secretKey(type, secret, index));
}

export function secretKey(type: SchemeConfig['type'], secret: string, index = 0): Buffer {
  const which = `signature scheme '${type}': secret #${String(index + 1)}`;
  // An empty key would make signatures computable by anyone.
  if (typeof secret !== 'string' || secret === '') throw new Error(`${which} is empty`);
  if (type !== 'standard-webhooks') return Buffer.from(secret, 'utf8');
  const key = decodeStandardWebhooksSecret(secret);
  if (!key) throw new Error(`${which} is not valid base64 (after an optional 'whsec_' prefix)`);
  return key;
}
