import { hash } from 'node:crypto';

// crypto.hash: one call instead of a Hash object and its stream machinery, about half the CPU for ids this
// short (the agent makes several per event). The same bytes: a string is hashed as its UTF-8, and the
// parts joined here are separated by a NUL, so no surrogate pair forms across them.

/**
 * The id of a follow-up event: derived from the input's id and the follow-up's purpose, so a re-run after
 * a crash produces the same ids and readers downstream can deduplicate too. Formatted as a UUID
 * (version 8, "custom") for readability in tools that expect one.
 */
export function followUpId(inputId: string, purpose: string): string {
  const h = hash('sha256', `${inputId}\u0000${purpose}`, 'buffer');
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * What the dedup store remembers of an event id: 12 bytes of its SHA-256 as 16 base64 characters. Fixed
 * size whatever the provider's id looks like; a collision needs ~2^48 ids, far beyond any window.
 */
export function idDigest(id: string): string {
  return hash('sha256', id, 'buffer').subarray(0, 12).toString('base64');
}

/**
 * The idempotency key an effect's function receives: derived from the event id and the effect's name, so
 * every attempt of the same effect of the same event (a retry, a re-run after a crash, a redrive) passes
 * the same key, and two effects of one event never share one. A UUID (version 8) like follow-up ids.
 */
export function effectKey(eventId: string, name: string): string {
  return followUpId(eventId, `\u0000effect\u0000${name}`);
}

/** Under which digest an effect's recorded result is kept (beside, never equal to, an event id's digest). */
export function effectDigest(eventId: string, name: string): string {
  return idDigest(`\u0000effect@${eventId}@${name}`);
}
