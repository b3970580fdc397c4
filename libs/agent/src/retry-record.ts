/**
 * The headers the runtime adds to a record it schedules for another attempt (on the agent's retry topic)
 * or gives up on (on its dead-letter topic). The attempt count and history travel with the record, never
 * in memory, so neither a crash nor a rebalance resets them.
 */
import type { IHeaders } from 'kafkajs';
import { headerString } from '@app/common';

export const RETRY_HEADERS = {
  /** Failed attempts so far (0: the record waits behind another record of its key and has not run yet). */
  attempts: 'retry_attempts',
  /** Epoch ms before which the record is not run again. */
  due: 'retry_due',
  /** The logical topic the record was first read from (its handler's topic). */
  topic: 'retry_topic',
  /** JSON list of the failed attempts: { attempt, at, error }. */
  history: 'retry_history',
  /** A record queued behind its parked key: its place in the key's queue. */
  seq: 'retry_seq',
  /** Set by a redrive: the redrive number, part of the record's deduplication id. */
  redrive: 'redrive',
} as const;

const DLQ_PREFIX = 'dlq_';
const RUNTIME_HEADERS = new Set<string>(Object.values(RETRY_HEADERS).filter((h) => h !== RETRY_HEADERS.redrive));

export interface FailedAttempt {
  attempt: number;
  at: string;
  error: string;
}

/** What the runtime knows of a record's history from its headers. */
export interface RetryInfo {
  attempts: number;
  dueMs: number;
  /** The handler's topic; undefined for a record read from its input topic. */
  originTopic?: string;
  history: FailedAttempt[];
  redrive: number;
  /** Its place in its key's queue, for a record queued behind a parked key. */
  seq?: number;
}

const HISTORY_LIMIT = 10;

function int(headers: IHeaders | undefined, name: string): number {
  const n = Number(headerString(headers, name));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** When a retry record is due (epoch ms; 0 when it says nothing), without parsing the rest. */
export function retryDueMs(headers: IHeaders | undefined): number {
  return int(headers, RETRY_HEADERS.due);
}

export function readRetryInfo(headers: IHeaders | undefined): RetryInfo {
  let history: FailedAttempt[] = [];
  const text = headerString(headers, RETRY_HEADERS.history);
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) history = parsed.filter((h): h is FailedAttempt => typeof h === 'object' && h !== null && typeof (h as FailedAttempt).attempt === 'number');
    } catch {
      // A history that does not parse is dropped, not fatal: the attempt count is in its own header.
    }
  }
  return {
    attempts: int(headers, RETRY_HEADERS.attempts),
    dueMs: int(headers, RETRY_HEADERS.due),
    originTopic: headerString(headers, RETRY_HEADERS.topic),
    history,
    redrive: int(headers, RETRY_HEADERS.redrive),
    seq: headerString(headers, RETRY_HEADERS.seq) === undefined ? undefined : int(headers, RETRY_HEADERS.seq),
  };
}

/**
 * The record's own headers, without the runtime's retry and dead-letter headers, as kafkajs can write them
 * again: Kafka allows a header without a value (other clients write them); kafkajs reads it as null but
 * throws when asked to write one, which would fail the transaction again and again. Such headers are left out.
 */
export function originalHeaders(headers: IHeaders | undefined): IHeaders {
  const out: IHeaders = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null || RUNTIME_HEADERS.has(k) || k.startsWith(DLQ_PREFIX)) continue;
    if (Array.isArray(v)) {
      const present = (v as unknown[]).filter((x): x is Buffer | string => x !== null && x !== undefined);
      if (present.length > 0) out[k] = present;
    } else out[k] = v;
  }
  return out;
}

export function retryHeaders(
  headers: IHeaders | undefined,
  info: { attempts: number; dueMs: number; originTopic: string; history: FailedAttempt[]; redrive: number; seq?: number },
): IHeaders {
  return {
    ...originalHeaders(headers),
    [RETRY_HEADERS.attempts]: String(info.attempts),
    [RETRY_HEADERS.due]: String(info.dueMs),
    [RETRY_HEADERS.topic]: info.originTopic,
    [RETRY_HEADERS.history]: JSON.stringify(info.history.slice(-HISTORY_LIMIT)),
    ...(info.redrive > 0 ? { [RETRY_HEADERS.redrive]: String(info.redrive) } : {}),
    ...(info.seq !== undefined ? { [RETRY_HEADERS.seq]: String(info.seq) } : {}),
  };
}

export function failedAttempt(attempt: number, atMs: number, error: string): FailedAttempt {
  return { attempt, at: new Date(atMs).toISOString(), error: error.slice(0, 300) };
}
