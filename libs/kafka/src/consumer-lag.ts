import type { Admin } from 'kafkajs';

export interface PartitionLag {
  /** Physical topic name. */
  topic: string;
  partition: number;
  /** The group's committed offset (the next record it will read). */
  committed: string;
  /** The partition's end offset. */
  end: string;
  /**
   * end − committed: offsets, not records. A transaction's commit marker takes an offset, so a group
   * that read everything of a transactional topic can show 1 until the next record arrives.
   */
  lag: number;
}

/**
 * How far a consumer group is behind on `topics` (physical names): one row per partition the group has
 * committed an offset on; topics it never committed on are left out (the caller passes candidates).
 */
export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const rows: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const mine = partitions.filter((p) => BigInt(p.offset) >= 0n);
    if (mine.length === 0) continue;
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    for (const p of mine) {
      const end = ends.get(p.partition) ?? 0n;
      const lag = end > BigInt(p.offset) ? end - BigInt(p.offset) : 0n;
      rows.push({ topic, partition: p.partition, committed: p.offset, end: end.toString(), lag: Number(lag) });
    }
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
