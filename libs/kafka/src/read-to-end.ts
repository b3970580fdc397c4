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

export interface ReadToEndOptions {
  deadlineMs: number;
  groupId: string;
  onProgress?: (p: ReadProgress) => void;
  /**
   * Read only these ranges (a partition not listed is not read) instead of every partition from its
   * beginning to its end offset at call time. The start offsets are committed for `groupId` before it
   * joins, so `groupId` must be a group of this read alone.
   */
  ranges?: OffsetRange[];
}

/**
 * Reads `topics` (physical names) from the beginning to their end offsets at call time (or only the given
 * offset ranges), read_committed, and hands each record to `onRecord`. Ends when every partition is read
 * to its end, or at the deadline.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: string[],
  onRecord: (topic: string, partition: number, message: KafkaMessage) => void,
  options: ReadToEndOptions,
): Promise<ReadResult> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  let total = 0n;
  try {
    if (options.ranges) {
      const starts = new Map<string, { partition: number; offset: string }[]>();
      for (const r of options.ranges) {
        const start = BigInt(r.start);
        const end = BigInt(r.end);
        if (!topics.includes(r.topic)) continue;
        if (end > start) {
          ends.set(`${r.topic}/${r.partition}`, end);
          total += end - start;
        }
        // An empty range's partition starts at its end too, so nothing of it is fetched.
        starts.set(r.topic, [...(starts.get(r.topic) ?? []), { partition: r.partition, offset: r.start }]);
      }
      for (const [topic, partitions] of starts) await admin.setOffsets({ groupId: options.groupId, topic, partitions });
    } else {
      for (const topic of topics) {
        for (const o of await admin.fetchTopicOffsets(topic)) {
          const high = BigInt(o.high);
          const low = BigInt(o.low);
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
          // A partition outside the ranges (assigned all the same) is not read.
          if (end === undefined) return;
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= end) continue;
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

