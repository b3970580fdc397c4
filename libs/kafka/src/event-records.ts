import type { IHeaders, KafkaMessage } from 'kafkajs';
import { fromKafkaMessage, headerString } from '@app/common';

/**
 * One Kafka record as the operator tools (the hookline CLI, the console) show it: its place, its CloudEvents attributes (when it is a CloudEvent) and
 * its data. Records that are not CloudEvents (a missing ce_ header, a value that is not JSON) are kept too,
 * with the reason, so an operator never misses what is on a topic.
 */
export interface EventRecord {
  /** Logical topic name (without KAFKA_TOPIC_PREFIX). */
  topic: string;
  partition: number;
  offset: string;
  /** The record's own timestamp, ISO 8601. */
  timestamp: string;
  key?: string;
  id?: string;
  type?: string;
  source?: string;
  /** ce_time, when present. */
  time?: string;
  subject?: string;
  causationId?: string;
  deliveryId?: string;
  /** Every ce_ header beside the core attributes (causationid, deliveryid, traceparent, ...). */
  extensions: Record<string, string>;
  /** Why this is not a readable CloudEvent; undefined when it is one. */
  notCloudEvent?: string;
  /** The data: parsed JSON, else the value as text; null for a record without a value. */
  data?: unknown;
  /** The data, compact and on one line, cut to PREVIEW_CHARS. */
  preview: string;
  /** Set on records of an agent's dead-letter topic. */
  deadLetter?: DeadLetterInfo;
}

export interface DeadLetterInfo {
  agent: string;
  reason: string;
  error?: string;
  attempts: number;
  /** The logical topic the agent had read the record from. */
  fromTopic?: string;
  time?: string;
}

export const PREVIEW_CHARS = 80;

/** Control characters replaced by a visible escape: header values and data come from outside. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The data as one short line: compact JSON, or the text itself. */
export function previewOf(value: Buffer | string | null | undefined, max = PREVIEW_CHARS): string {
  if (value === null || value === undefined) return '(no value)';
  const text = value.toString();
  let compact = text;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    // not JSON: shown as it is
  }
  return shorten(printable(compact), max);
}

function parseData(value: Buffer | string | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  const text = value.toString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function headersAsStrings(headers: IHeaders | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of Object.keys(headers ?? {})) out[name] = headerString(headers, name) ?? null;
  return out;
}

const DLQ_TOPIC = /^([a-z0-9][a-z0-9-]*)\.dlq$/;

/**
 * Decodes a record read from `topic` (logical name). `keepData: false` drops the parsed data and keeps
 * only the preview: `events trace` holds every record of every topic in memory at once.
 */
export function decodeRecord(topic: string, partition: number, message: KafkaMessage, keepData = true): EventRecord {
  const h = message.headers ?? {};
  const decoded = fromKafkaMessage(message);
  const ts = Number(message.timestamp);
  const rec: EventRecord = {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number.isFinite(ts) && ts > 0 ? new Date(ts).toISOString() : '',
    key: message.key === null || message.key === undefined ? undefined : message.key.toString(),
    extensions: {},
    preview: previewOf(message.value),
  };
  if (decoded.ok) {
    const e = decoded.event;
    Object.assign(rec, { id: e.id, type: e.type, source: e.source, time: e.time || undefined, subject: e.subject, extensions: e.extensions });
    if (keepData) rec.data = e.data;
  } else {
    // What can be read is still shown: a record with ce_id but a value that is not JSON, for instance.
    rec.notCloudEvent = decoded.reason;
    rec.id = headerString(h, 'ce_id');
    rec.type = headerString(h, 'ce_type');
    rec.source = headerString(h, 'ce_source');
    rec.time = headerString(h, 'ce_time');
    rec.subject = headerString(h, 'ce_subject');
    for (const name of Object.keys(h)) if (name.startsWith('ce_')) rec.extensions[name.slice(3)] = headerString(h, name) ?? '';
    for (const core of ['specversion', 'id', 'type', 'source', 'time', 'subject']) delete rec.extensions[core];
    if (keepData) rec.data = parseData(message.value);
  }
  rec.causationId = rec.extensions.causationid;
  rec.deliveryId = rec.extensions.deliveryid;
  const dlq = DLQ_TOPIC.exec(topic);
  if (dlq) {
    rec.deadLetter = {
      agent: headerString(h, 'dlq_agent') ?? dlq[1],
      reason: headerString(h, 'dlq_reason') ?? '',
      error: headerString(h, 'dlq_error'),
      attempts: Number(headerString(h, 'dlq_attempts') ?? 0) || 0,
      fromTopic: headerString(h, 'dlq_topic'),
      time: headerString(h, 'dlq_time'),
    };
  }
  return rec;
}

/** The time an event happened, as the CLI orders and measures it: ce_time, else the record's timestamp. */
export function eventTime(rec: Pick<EventRecord, 'time' | 'timestamp'>): string {
  return rec.time && !Number.isNaN(Date.parse(rec.time)) ? rec.time : rec.timestamp;
}

/** What an operator searches records by: each field given must match (case-insensitive substring). */
export interface EventQuery {
  /** Matches the CloudEvent id or the provider's delivery id. */
  id?: string;
  type?: string;
  subject?: string;
  key?: string;
}

const contains = (value: string | undefined, wanted: string) => value !== undefined && value.toLowerCase().includes(wanted.toLowerCase());

export function eventMatches(rec: Pick<EventRecord, 'id' | 'deliveryId' | 'type' | 'subject' | 'key'>, query: EventQuery): boolean {
  return (
    (!query.id || contains(rec.id, query.id) || contains(rec.deliveryId, query.id)) &&
    (!query.type || contains(rec.type, query.type)) &&
    (!query.subject || contains(rec.subject, query.subject)) &&
    (!query.key || contains(rec.key, query.key))
  );
}
