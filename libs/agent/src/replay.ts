/**
 * Replay: a time range of a topic is fed again to one agent, and to no other.
 *
 * The records go to the agent's own retry topic (same partition and key, with `retry_topic` naming the
 * topic they were read from, so the handler of that topic runs), the one topic only that agent reads. Other
 * agents subscribed to the topic see nothing. The agent deduplicates replayed records like any other: an
 * event id its dedup window already holds is skipped, so a replay processes only what the agent has not
 * processed (or has forgotten); replaying the same range twice processes nothing the second time.
 *
 * A shadow replay (`shadowPrefix`) writes to the retry topic of the agent's shadow instance instead:
 * `<KAFKA_TOPIC_PREFIX><shadowPrefix><agent>.retry`. A shadow instance is the agent started with
 * AGENT_SHADOW_PREFIX set (see agentShadowPrefixFromEnv): every topic it writes, its consumer group, its
 * transactional ids, its dedup store and its state live under that prefix, and it reads nothing but its
 * own retry topic, so the real topics are untouched and the shadow processes each replayed event once.
 */
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { describeError } from '@app/common';
import { agentTopicList, agentTopics, physicalTopic, topicSpecs } from '@app/contracts';
import { ensureTopics, readToEnd, type OffsetRange, type ReadProgress } from '@app/kafka';
import { originalHeaders, RETRY_HEADERS } from './retry-record';

/** Headers a replayed record carries beside the original ones. */
export const REPLAY_HEADERS = {
  /** `<topic>/<partition>:<offset>` of the record replayed. */
  from: 'replay_from',
  at: 'replay_at',
} as const;

export interface ReplayOptions {
  agent: string;
  /** Logical topic to replay (an input topic of the agent). */
  topic: string;
  topicPrefix?: string;
  /** Records with a timestamp at or after this (epoch ms). */
  sinceMs: number;
  /** Records with a timestamp before this (epoch ms); defaults to the end of the topic when called. */
  untilMs?: number;
  /** Only records with this key. */
  key?: string;
  /** Feed the agent's shadow instance under this prefix (below KAFKA_TOPIC_PREFIX) instead of the agent. */
  shadowPrefix?: string;
  /** Reads and counts, writes nothing. */
  dryRun?: boolean;
  deadlineMs?: number;
  onProgress?: (p: ReadProgress & { written: number }) => void;
}

export interface ReplayReport {
  topic: string;
  agent: string;
  /** The physical topic written to (the agent's or its shadow's retry topic). */
  into: string;
  shadowPrefix?: string;
  since: string;
  until?: string;
  /** Records in the offset range read (before the key and time filters). */
  read: number;
  /** Records written (or, with dryRun, that would be). */
  replayed: number;
  partitions: { partition: number; from: string; to: string; replayed: number }[];
  dryRun: boolean;
  complete: boolean;
}

/** The replay could not start: the message says why (an unknown agent, a topic that is not there). */
export class ReplayError extends Error {
  constructor(
    message: string,
    readonly code: 'UNKNOWN_TOPIC' | 'UNKNOWN_AGENT' | 'PARTITIONS_DIFFER',
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

const WRITE_CHUNK = 500;

/** Every topic a shadow instance of the agent writes or reads, under `<prefix><shadowPrefix>`. */
export async function ensureShadowTopics(kafka: Kafka, agent: string, prefix: string, shadowPrefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [...topicSpecs(), ...agentTopicList(agent)], `${prefix}${shadowPrefix}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Feeds the records of `topic` between `sinceMs` and `untilMs` to one agent (or its shadow) again. */
export async function replayIntoAgent(kafka: Kafka, options: ReplayOptions): Promise<ReplayReport> {
  const prefix = options.topicPrefix ?? '';
  const source = physicalTopic(prefix, options.topic);
  const ownRetry = physicalTopic(prefix, agentTopics(options.agent).retry.name);
  const into = options.shadowPrefix === undefined ? ownRetry : physicalTopic(`${prefix}${options.shadowPrefix}`, agentTopics(options.agent).retry.name);
  const admin = kafka.admin();
  await admin.connect();
  const ranges: OffsetRange[] = [];
  try {
    const topics = new Set(await admin.listTopics());
    if (!topics.has(source)) throw new ReplayError(`no topic ${source} on the cluster`, 'UNKNOWN_TOPIC');
    if (!topics.has(ownRetry)) throw new ReplayError(`no agent ${options.agent}: its retry topic ${ownRetry} does not exist`, 'UNKNOWN_AGENT');
    if (options.shadowPrefix !== undefined && !options.dryRun) await ensureShadowTopics(kafka, options.agent, prefix, options.shadowPrefix);
    const described = [source, ...(into !== source && (topics.has(into) || !options.dryRun) ? [into] : [])];
    const meta = await admin.fetchTopicMetadata({ topics: described });
    const count = (t: string) => meta.topics.find((m) => m.name === t)?.partitions.length ?? 0;
    if (described.includes(into) && count(source) !== count(into)) {
      throw new ReplayError(`${source} has ${count(source)} partitions, ${into} ${count(into)}: a replayed record keeps its partition, so they must match`, 'PARTITIONS_DIFFER');
    }
    const high = await admin.fetchTopicOffsets(source);
    const startAt = await admin.fetchTopicOffsetsByTimestamp(source, options.sinceMs);
    const endAt = options.untilMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(source, options.untilMs);
    for (const h of high) {
      // By timestamp: the first offset whose timestamp is at or after the time, or the end offset (-1 means none).
      const resolve = (list: { partition: number; offset: string }[] | undefined) => {
        const o = list?.find((x) => x.partition === h.partition)?.offset;
        return o === undefined || BigInt(o) < 0n ? h.high : o;
      };
      const start = resolve(startAt);
      const end = endAt === undefined ? h.high : resolve(endAt);
      ranges.push({ topic: source, partition: h.partition, start, end: BigInt(end) < BigInt(start) ? start : end });
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const report: ReplayReport = {
    topic: options.topic,
    agent: options.agent,
    into,
    ...(options.shadowPrefix !== undefined ? { shadowPrefix: options.shadowPrefix } : {}),
    since: new Date(options.sinceMs).toISOString(),
    ...(options.untilMs !== undefined ? { until: new Date(options.untilMs).toISOString() } : {}),
    read: 0,
    replayed: 0,
    partitions: ranges.map((r) => ({ partition: r.partition, from: r.start, to: r.end, replayed: 0 })),
    dryRun: options.dryRun === true,
    complete: true,
  };
  if (ranges.every((r) => BigInt(r.end) <= BigInt(r.start))) return report;

  const producer = options.dryRun ? undefined : kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer?.connect();
  try {
    const pending: { partition: number; key: Buffer | null; value: Buffer | null; headers: IHeaders }[] = [];
    let flushing = Promise.resolve();
    let failed: unknown;
    const flush = () => {
      const messages = pending.splice(0, pending.length);
      if (!producer || messages.length === 0) return;
      flushing = flushing.then(async () => {
        if (failed !== undefined) return;
        try {
          await producer.send({ topic: into, acks: -1, messages });
        } catch (e) {
          failed = e;
        }
      });
    };
    const at = new Date().toISOString();
    const wanted = (m: KafkaMessage) => {
      const ts = Number(m.timestamp);
      if (ts < options.sinceMs || (options.untilMs !== undefined && ts >= options.untilMs)) return false;
      return options.key === undefined || (m.key !== null && m.key.toString() === options.key);
    };
    const byPartition = new Map(report.partitions.map((p) => [p.partition, p]));
    const result = await readToEnd(
      kafka,
      [source],
      (_t, partition, m) => {
        report.read++;
        if (!wanted(m)) return;
        report.replayed++;
        const p = byPartition.get(partition);
        if (p) p.replayed++;
        pending.push({
          partition,
          key: m.key,
          value: m.value,
          headers: {
            ...originalHeaders(m.headers),
            [RETRY_HEADERS.topic]: options.topic,
            [REPLAY_HEADERS.from]: `${options.topic}/${partition}:${m.offset}`,
            [REPLAY_HEADERS.at]: at,
          },
        });
        if (pending.length >= WRITE_CHUNK) flush();
      },
      {
        deadlineMs: options.deadlineMs ?? 10 * 60_000,
        groupId: `${source}.replay-${process.pid}-${Date.now().toString(36)}`,
        ranges,
        onProgress: options.onProgress ? (p) => options.onProgress?.({ ...p, written: report.replayed - pending.length }) : undefined,
      },
    );
    flush();
    await flushing;
    if (failed !== undefined) throw failed instanceof Error ? failed : new Error(describeError(failed));
    report.complete = result.complete;
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
  return report;
}

