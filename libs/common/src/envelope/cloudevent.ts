import { randomFillSync } from 'node:crypto';
import type { IHeaders, Message } from 'kafkajs';

/**
 * CloudEvents 1.0 in the Kafka protocol binding, binary content mode: the record value is the event data
 * as JSON, the attributes travel as `ce_`-prefixed headers, `content-type` carries datacontenttype, and
 * the record key is the event's partition key.
 */
export interface CloudEvent<T = unknown> {
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  data: T;
  /** Extension attributes (lower-case alphanumeric names), e.g. receivedat, deliveryid, traceparent. */
  extensions: Record<string, string>;
}

export const CE_SPECVERSION = '1.0';
export const JSON_CONTENT_TYPE = 'application/json';
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const REQUIRED = ['ce_specversion', 'ce_id', 'ce_source', 'ce_type'] as const;

/** `ce_<name>` for a valid extension name (checked once per name: the same few names come with every event). */
const extensionHeaders = new Map<string, string>();
function headerNameOf(name: string): string {
  let header = extensionHeaders.get(name);
  if (header === undefined) {
    if (!EXTENSION_NAME.test(name)) throw new Error(`invalid CloudEvents extension name "${name}"`);
    header = `ce_${name}`;
    if (extensionHeaders.size < 1000) extensionHeaders.set(name, header);
  }
  return header;
}

export function toKafkaMessage(event: CloudEvent, key: string): Message {
  const headers: IHeaders = {
    ce_specversion: CE_SPECVERSION,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    'content-type': JSON_CONTENT_TYPE,
  };
  if (event.subject !== undefined) headers.ce_subject = event.subject;
  for (const name in event.extensions) {
    if (!Object.hasOwn(event.extensions, name)) continue;
    headers[headerNameOf(name)] = event.extensions[name];
  }
  return { key, value: JSON.stringify(event.data), headers };
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? headerString({ [name]: v[0] }, name) : undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

export type Decoded = { ok: true; event: CloudEvent; key?: string } | { ok: false; reason: string };

/** Reads a record written by toKafkaMessage (or any binary-mode CloudEvents producer). Never throws. */
export function fromKafkaMessage(message: { key?: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders }): Decoded {
  const h = message.headers;
  for (const name of REQUIRED) if (!headerString(h, name)) return { ok: false, reason: `missing header ${name}` };
  if (headerString(h, 'ce_specversion') !== CE_SPECVERSION) return { ok: false, reason: 'unsupported ce_specversion' };
  const contentType = headerString(h, 'content-type') ?? JSON_CONTENT_TYPE;
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType)) return { ok: false, reason: `unsupported content-type ${contentType}` };
  let data: unknown;
  try {
    data = message.value === null ? null : JSON.parse(message.value.toString());
  } catch {
    return { ok: false, reason: 'record value is not valid JSON' };
  }
  const extensions: Record<string, string> = {};
  for (const name of Object.keys(h ?? {})) {
    const ext = name.slice(3);
    if (name.startsWith('ce_') && !['specversion', 'id', 'source', 'type', 'time', 'subject'].includes(ext)) {
      extensions[ext] = headerString(h, name) ?? '';
    }
  }
  const event: CloudEvent = {
    id: headerString(h, 'ce_id') ?? '',
    source: headerString(h, 'ce_source') ?? '',
    type: headerString(h, 'ce_type') ?? '',
    time: headerString(h, 'ce_time') ?? '',
    subject: headerString(h, 'ce_subject'),
    data,
    extensions,
  };
  const key = message.key === null || message.key === undefined ? undefined : message.key.toString();
  return { ok: true, event, key };
}

/**
 * Random hex from a pooled buffer: one randomFillSync per 4 KiB instead of one per id (per-request
 * randomBytes calls showed up in the ingress profile).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C traceparent continuing the caller's trace when it sent a valid one, else starting a new trace. */
export function childTraceparent(incoming?: string): string {
  const m = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  const traceId = m && !/^0+$/.test(m[1]) ? m[1] : randomHex(16);
  const flags = m ? m[3] : '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}
