import type { JsonLogger } from '@app/common';
import { createKafka } from './client';
import type { KafkaConnection } from './connection';
import { ensureTopics, type EnsureTopicsResult } from './ensure-topics';
import type { TopicSpec } from '@app/contracts';

/** Connects an admin client, makes sure `specs` exist, logs what it did and disconnects. */
export async function provisionTopics(conn: KafkaConnection, specs: TopicSpec[], logger: JsonLogger): Promise<EnsureTopicsResult> {
  const admin = createKafka(conn, logger).admin();
  await admin.connect();
  try {
    const result = await ensureTopics(admin, specs, conn.topicPrefix);
    logger.info('topics ready', { created: result.created, existing: result.existing.length });
    for (const m of result.mismatched) {
      logger.warn('topic partition count differs from the registry; co-partitioned state may be misplaced', m);
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}
