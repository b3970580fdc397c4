import type { JsonLogger } from '@app/common';
import { createKafka } from './client';
import type { KafkaConnection } from './connection';
import { ensureTopics, type EnsureTopicsResult } from './ensure-topics';
import type { TopicSpec } from '@app/contracts';
import { retryTransient } from './retry';

/** Connects an admin client, makes sure `specs` exist, logs what it did and disconnects. */
export async function provisionTopics(conn: KafkaConnection, specs: TopicSpec[], logger: JsonLogger): Promise<EnsureTopicsResult> {
  const admin = createKafka(conn, logger).admin();
  // A broker that is still starting refuses connections for a moment: that is retried too.
  await retryTransient('connecting to Kafka', () => admin.connect(), { totalMs: 60_000, onRetry: (err, attempt, waitMs) => logger.warn('Kafka not reachable yet; retrying', { attempt, waitMs, error: err }) });
  try {
    const result = await ensureTopics(admin, specs, conn.topicPrefix, {
      replication: conn.replication,
      onRetry: (err, attempt, waitMs) => logger.warn('topics not ready; retrying', { attempt, waitMs, error: err }),
    });
    logger.info('topics ready', { created: result.created, existing: result.existing.length, replication: result.replication });
    for (const m of result.mismatched) {
      logger.warn('topic partition count differs from the registry; co-partitioned state may be misplaced', m);
    }
    for (const u of result.underReplicated) {
      logger.warn('existing topic has fewer replicas than new topics get; losing a broker may make it unavailable', u);
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}
