import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { describeError } from '@app/common';

export interface ReadProgress {
  read: number;
  /** Records below the end offsets (an upper bound: transaction markers take offsets too). */
  total: number;
  partitionsLeft: number;
}

export interface ReadResult {
  /** False when the deadline passed before every partition reached its end offset. */
  complete: boolean;
  /** "topic/partition" of the partitions not read to their end. */
  unfinished: string[];
}

/** A part of one partition to read: offsets from `start` (inclusive) to `end` (exclusive). */
export interface OffsetRange {
  topic: string;
  partition: number;
  start: string;
  end: string;
}

export interface ReadOptions {
  deadlineMs: number;
  groupId: string;
  onProgress?: (p: ReadProgress) => void;
  /**
   * Reads only the last N offsets of each partition (the recent records) instead of all of it. Offsets,
   * not records: transaction markers take offsets too, so a transactional topic gives somewhat fewer.
   */
  lastPerPartition?: number;
  /**
   * Read only these ranges (a partition not listed is not read) instead of every partition from its
   * beginning to its end offset at call time. The start offsets are committed for `groupId` before it
   * joins, so `groupId` must be a group of this read alone.
   */
  ranges?: OffsetRange[];
}

/**
 * Reads `topics` (physical names) from the beginning (or the last `lastPerPartition` offsets, or only the
 * given offset `ranges`) to their end offsets at call time, read_committed, and hands each record to `onRecord`. Ends when every partition is
 * read to its end, or at the deadline.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: string[],
  onRecord: (topic: string, partition: number, message: KafkaMessage) => void,
  options: ReadOptions,
): Promise<ReadResult> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  const starts = new Map<string, bigint>();
  let total = 0n;
  try {
    if (options.ranges) {
      const commits = new Map<string, { partition: number; offset: string }[]>();
      for (const r of options.ranges) {
        if (!topics.includes(r.topic)) continue;
        const start = BigInt(r.start);
        const end = BigInt(r.end);
        if (end > start) {
          ends.set(`${r.topic}/${r.partition}`, end);
          starts.set(`${r.topic}/${r.partition}`, start);
          total += end - start;
        }
        // An empty range's partition starts at its end too, so nothing of it is fetched.
        commits.set(r.topic, [...(commits.get(r.topic) ?? []), { partition: r.partition, offset: r.start }]);
      }
      for (const [topic, partitions] of commits) await admin.setOffsets({ groupId: options.groupId, topic, partitions });
    } else {
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          const high = BigInt(o.high);
          let low = BigInt(o.low);
          if (options.lastPerPartition !== undefined && high - BigInt(options.lastPerPartition) > low) {
            low = high - BigInt(options.lastPerPartition);
            starts.set(`${topic}/${o.partition}`, low);
          }
          if (high > low) {
            ends.set(`${topic}/${o.partition}`, high);
            total += high - low;
          }
        }
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const remaining = new Set(ends.keys());
  const progress: ReadProgress = { read: 0, total: Number(total), partitionsLeft: remaining.size };
  if (remaining.size === 0) return { complete: true, unfinished: [] };
  // Only topics with something to read are subscribed.
  const subscribed = new Set(topics.filter((t) => [...remaining].some((k) => k.startsWith(`${t}/`))));
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: false, maxWaitTimeInMs: 100, maxBytes: 16 << 20 });
  let finish: (() => void) | undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const reached = (topic: string, partition: number, lastOffset: string) => {
    const key = `${topic}/${partition}`;
    const end = ends.get(key);
    // Transaction markers take offsets too: the batch's last offset tells where the reader is.
    if (end !== undefined && BigInt(lastOffset) + 1n >= end && remaining.delete(key)) {
      progress.partitionsLeft = remaining.size;
      if (remaining.size === 0) finish?.();
    }
  };
  // A batch of only aborted records or markers never reaches eachBatch; kafkajs reports it here.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (subscribed.has(payload.topic)) reached(payload.topic, payload.partition, payload.lastOffset);
  });
  let failed: unknown;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...subscribed], fromBeginning: true });
    const timer = setTimeout(() => finish?.(), options.deadlineMs);
    const tick = options.onProgress ? setInterval(() => options.onProgress?.(progress), 200) : undefined;
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const topic = batch.topic;
          if (!subscribed.has(topic)) return;
          const end = ends.get(`${topic}/${batch.partition}`);
          // A partition with nothing to read (outside the ranges, or empty) is assigned all the same.
          if (end === undefined) return;
          const start = starts.get(`${topic}/${batch.partition}`) ?? 0n;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            // Below start: fetched before the seek took effect (or after a restart, which forgets seeks).
            if (offset >= end || offset < start) continue;
            progress.read++;
            onRecord(topic, batch.partition, m);
          }
          reached(topic, batch.partition, batch.lastOffset());
        },
      })
      .catch((e: unknown) => {
        failed = e;
        finish?.();
      });
    // run() creates the consumer group before its first await, so seeks can be given right away.
    for (const [key, offset] of options.ranges ? [] : starts) {
      const at = key.lastIndexOf('/');
      if (subscribed.has(key.slice(0, at))) consumer.seek({ topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset: offset.toString() });
    }
    // kafkajs restarts the consumer itself after a retriable error (a coordinator still loading, say).
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      failed = payload.error;
      finish?.();
    });
    await done;
    clearTimeout(timer);
    if (tick) clearInterval(tick);
    options.onProgress?.(progress);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(describeError(failed));
  return { complete: remaining.size === 0, unfinished: [...remaining].sort() };
}

