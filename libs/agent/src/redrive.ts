/**
 * Redrive: records an agent dead-lettered are given to it again, each processed once more.
 *
 * A redriven record goes to the agent's retry topic (same partition and key, so it keeps its place among
 * the records of its key) with a `redrive` number one above the highest of the dead-lettered copies of
 * that event. The runtime deduplicates a redriven record by (event id, redrive number), not by the event
 * id it already processed: redriving once processes the event again once; running the same redrive twice
 * before the agent caught up writes the same number twice, and the second copy is skipped as a duplicate.
 * The event keeps its id, so follow-ups keep their ids (the failed attempts published nothing).
 */
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { headerString } from '@app/common';
import { agentTopics, physicalTopic } from '@app/contracts';
import { readToEnd } from '@app/kafka';
import { originalHeaders, readRetryInfo, RETRY_HEADERS } from './retry-record';

export interface DeadLetter {
  /** The event id (ce_id), or undefined for a record that was not a CloudEvent. */
  id?: string;
  partition: number;
  offset: string;
  topic: string;
  reason: string;
  error?: string;
  attempts: number;
  time?: string;
  redrive: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface RedriveOptions {
  agent: string;
  topicPrefix?: string;
  /** Event ids to redrive; omit (with all: true) for every dead-lettered event. */
  ids?: string[];
  all?: boolean;
  /** Reports what would be redriven and writes nothing. */
  dryRun?: boolean;
  /** Writes nothing unless every requested id has a dead-lettered record (all or none). */
  requireAll?: boolean;
}

export interface RedriveReport {
  redriven: { id: string; redrive: number; partition: number; fromOffset: string }[];
  /** Requested ids with no dead-lettered record. */
  notFound: string[];
  dryRun: boolean;
}

function toDeadLetter(partition: number, m: KafkaMessage): DeadLetter {
  const h = m.headers ?? {};
  return {
    id: headerString(h, 'ce_id'),
    partition,
    offset: m.offset,
    topic: headerString(h, 'dlq_topic') ?? '',
    reason: headerString(h, 'dlq_reason') ?? '',
    error: headerString(h, 'dlq_error'),
    attempts: Number(headerString(h, 'dlq_attempts') ?? 0),
    time: headerString(h, 'dlq_time'),
    redrive: readRetryInfo(h).redrive,
    key: m.key,
    value: m.value,
    headers: h,
  };
}

let readers = 0;

/** Every record of the agent's dead-letter topic, read_committed, up to its end when called. */
export async function readDeadLetters(kafka: Kafka, agent: string, topicPrefix = ''): Promise<DeadLetter[]> {
  const topic = physicalTopic(topicPrefix, agentTopics(agent).deadLetter.name);
  const out: DeadLetter[] = [];
  const result = await readToEnd(kafka, [topic], (_t, partition, m) => out.push(toDeadLetter(partition, m)), {
    deadlineMs: 60_000,
    // A group of its own per read: a long-running process (the console) may read the same topic twice at once.
    groupId: `${topic}.reader-${process.pid}-${Date.now()}-${++readers}`,
  });
  if (!result.complete) throw new Error(`reading ${topic} did not finish within 60 s (${result.unfinished.join(', ')} unfinished)`);
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Gives dead-lettered events back to their agent, each to be processed once more. */
export async function redriveDeadLetters(kafka: Kafka, options: RedriveOptions): Promise<RedriveReport> {
  if (!options.all && (!options.ids || options.ids.length === 0)) throw new Error('name the event ids to redrive, or ask for all of them');
  const prefix = options.topicPrefix ?? '';
  const letters = await readDeadLetters(kafka, options.agent, prefix);
  // The latest dead-lettered copy of each event (the one with the highest redrive number).
  const latest = new Map<string, DeadLetter>();
  for (const d of letters) {
    if (d.id === undefined) continue;
    const seen = latest.get(d.id);
    if (!seen || d.redrive >= seen.redrive) latest.set(d.id, d);
  }
  const wanted = options.all ? [...latest.keys()] : [...new Set(options.ids)];
  const notFound = wanted.filter((id) => !latest.has(id));
  const chosen = wanted.filter((id) => latest.has(id)).map((id) => latest.get(id) as DeadLetter);
  const report: RedriveReport = { redriven: [], notFound, dryRun: options.dryRun === true };
  for (const d of chosen) report.redriven.push({ id: d.id as string, redrive: d.redrive + 1, partition: d.partition, fromOffset: d.offset });
  if (options.requireAll && notFound.length > 0) return { ...report, redriven: [] };
  if (options.dryRun || chosen.length === 0) return report;

  const retryTopic = physicalTopic(prefix, agentTopics(options.agent).retry.name);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: retryTopic,
      acks: -1,
      messages: chosen.map((d) => ({
        partition: d.partition,
        key: d.key,
        value: d.value,
        headers: {
          ...originalHeaders(d.headers),
          [RETRY_HEADERS.topic]: d.topic,
          [RETRY_HEADERS.redrive]: String(d.redrive + 1),
          redrive_from: `${d.partition}:${d.offset}`,
          redrive_at: new Date().toISOString(),
        },
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return report;
}
