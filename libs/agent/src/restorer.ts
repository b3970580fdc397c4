import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { JsonLogger } from '@app/common';
import { readProcessed, readState } from './changelog';
import type { Task } from './task';

/**
 * Rebuilds the dedup and state stores of newly assigned tasks from the agent's `processed` and `state`
 * topics. Each task first committed a marker with a fresh nonce into partition p of both topics (after
 * fencing older owners), so reading read_committed until both markers appear yields everything any
 * previous owner committed, and nothing it had not.
 */
export async function restoreTasks(
  kafka: Kafka,
  tasks: Task[],
  topics: { processed: string; state: string },
  logger: JsonLogger,
  timeoutMs = 120_000,
): Promise<{ ids: number; keys: number; parkedKeys: number; skipped: number; ms: number }> {
  const t0 = Date.now();
  const byPartition = new Map(tasks.map((t) => [t.partition, t]));
  const pending = new Set(tasks.flatMap((t) => [`${topics.processed}:${t.partition}`, `${topics.state}:${t.partition}`]));
  const consumer = kafka.consumer({
    groupId: `${topics.state}.restore-${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
  });
  let ids = 0;
  let skipped = 0;
  // The deadline covers connecting and subscribing too: a broker that went away must not hold the pass.
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    // Name what is still awaited: a marker that never becomes readable means a transaction left open on
    // that partition (its last stable offset held), which `kafka-transactions.sh find-hanging` shows.
    timer = setTimeout(
      () => reject(new Error(`restore did not finish within ${timeoutMs} ms; no marker read yet in ${[...pending].sort().join(', ')} (a transaction left open there holds read_committed readers)`)),
      timeoutMs,
    );
  });
  expired.catch(() => undefined);
  try {
    await Promise.race([consumer.connect(), expired]);
    await Promise.race([consumer.subscribe({ topics: [topics.processed, topics.state], fromBeginning: true }), expired]);
    await new Promise<void>((resolve, reject) => {
      expired.catch(reject);
      // A crash (the broker went away while it read) fails the restore at once, with the crash's error: the
      // task is rebuilt with a fresh fence, marker and reader when the broker answers again, instead of
      // waiting out the timeout on a reader kafkajs restarts on its own terms.
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: 1,
          eachBatch: async ({ batch }) => {
            const task = byPartition.get(batch.partition);
            const slot = `${batch.topic}:${batch.partition}`;
            if (!task || !pending.has(slot)) return;
            const now = Date.now();
            for (const m of batch.messages) {
              const entry = batch.topic === topics.processed ? readProcessed(m.key, m.value) : readState(m.key, m.value);
              switch (entry.kind) {
                case 'marker':
                  if (entry.nonce === task.marker) pending.delete(slot);
                  break;
                case 'processed':
                  if (task.dedup.isExpired(entry.atMs, now)) break;
                  for (const d of entry.ids) task.dedup.add(d, entry.atMs);
                  ids += entry.ids.length;
                  break;
                case 'effect':
                  if (!task.dedup.isExpired(entry.atMs, now)) task.effects.add(entry.digest, entry.result, entry.atMs);
                  break;
                case 'effect-cleared':
                  task.effects.delete(entry.digest);
                  break;
                case 'state':
                  task.state.set(entry.key, entry.value, Number(m.timestamp));
                  break;
                case 'parked':
                  task.parked.set(entry.key, entry.value);
                  break;
                case 'unknown':
                  skipped++;
                  break;
              }
            }
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await Promise.race([consumer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }
  const result = { ids, keys: tasks.reduce((n, t) => n + t.state.size, 0), parkedKeys: tasks.reduce((n, t) => n + t.parked.size, 0), skipped, ms: Date.now() - t0 };
  logger.info('tasks restored', { tasks: tasks.map((t) => t.partition), ...result });
  return result;
}
