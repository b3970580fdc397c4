import { AppError, type ErrorCode } from '@app/common';
import type { EventQuery } from '@app/kafka';

/**
 * Checks of what a browser or an API client sends: query strings and bodies are hostile input. Each
 * failure is a catalogue error; nothing here trusts a value's type.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
export const MAX_ID_CHARS = 256;
export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

function text(value: unknown, code: ErrorCode, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError(code, `${what} must be given once, as text.`);
  return value;
}

/** An event id (or a provider's delivery id): 1 to 256 printable characters. */
export function eventId(value: unknown): string {
  const id = text(value, 'INVALID_EVENT_ID', 'The event id');
  if (id === undefined || id.length === 0 || id.length > MAX_ID_CHARS || CONTROL.test(id)) throw new AppError('INVALID_EVENT_ID');
  return id;
}

/** The search of the events page; empty fields are no condition. */
export function eventQuery(query: Record<string, unknown>): EventQuery {
  const out: EventQuery = {};
  for (const field of ['id', 'type', 'subject', 'key'] as const) {
    const v = text(query[field], 'INVALID_QUERY', `The search field "${field}"`)?.trim();
    if (v === undefined || v === '') continue;
    if (v.length > MAX_ID_CHARS || CONTROL.test(v)) throw new AppError('INVALID_QUERY', `The search field "${field}" must be at most ${MAX_ID_CHARS} printable characters.`);
    out[field] = v;
  }
  return out;
}

export function limit(value: unknown): number {
  const v = text(value, 'INVALID_QUERY', 'limit');
  if (v === undefined || v === '') return DEFAULT_LIMIT;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT) throw new AppError('INVALID_QUERY', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  return Number(v);
}

/** A topic name as given; whether it exists is the reader's to say (UNKNOWN_TOPIC). */
export function topicName(value: unknown): string | undefined {
  const v = text(value, 'UNKNOWN_TOPIC', 'topic');
  return v === undefined || v === '' ? undefined : v;
}

export interface RedriveRequest {
  ids?: string[];
  all?: boolean;
}

/** `{"ids": [...]}` or `{"all": true}` (JSON), or a form with `id` fields or `all=1`. */
export function redriveRequest(body: unknown): RedriveRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('INVALID_QUERY', 'Send {"ids": [...]} or {"all": true}.');
  const b = body as Record<string, unknown>;
  if (b.all === true || b.all === '1' || b.all === 'true') return { all: true };
  const raw = b.ids ?? b.id;
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) throw new AppError('INVALID_QUERY', 'Name the event ids to redrive ({"ids": [...]}), or send {"all": true}.');
  if (list.length > 1000) throw new AppError('INVALID_QUERY', 'At most 1000 ids at once.');
  return { ids: [...new Set(list.map(eventId))] };
}
