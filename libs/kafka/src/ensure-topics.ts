import type { Admin, ITopicConfig } from 'kafkajs';
import { physicalTopic, type TopicSpec } from '@app/contracts';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics whose partition count differs from the registry (left alone, but worth a warning). */
  mismatched: { topic: string; expected: number; actual: number }[];
}

function toTopicConfig(prefix: string, spec: TopicSpec): ITopicConfig {
  const configEntries: { name: string; value: string }[] = [{ name: 'cleanup.policy', value: spec.cleanupPolicy }];
  if (spec.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  return { topic: physicalTopic(prefix, spec.name), numPartitions: spec.partitions, replicationFactor: -1, configEntries };
}

/**
 * Creates the topics that do not exist yet and leaves existing ones untouched. Safe to call from every
 * process at start-up, concurrently: a topic created by someone else in between counts as existing.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], prefix = ''): Promise<EnsureTopicsResult> {
  const wanted = new Map(specs.map((s) => [physicalTopic(prefix, s.name), s]));
  const present = new Set(await admin.listTopics());
  const missing = [...wanted.entries()].filter(([name]) => !present.has(name)).map(([, s]) => toTopicConfig(prefix, s));
  const created: string[] = [];
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (err) {
      // A concurrent creator wins a race: TOPIC_ALREADY_EXISTS is fine, anything else is not.
      if (!isAlreadyExists(err)) throw err;
    }
    const after = new Set(await admin.listTopics());
    for (const t of missing) if (after.has(t.topic)) created.push(t.topic);
  }
  const existingNames = [...wanted.keys()].filter((n) => present.has(n));
  const mismatched: EnsureTopicsResult['mismatched'] = [];
  if (existingNames.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: existingNames });
    for (const t of meta.topics) {
      const expected = wanted.get(t.name)?.partitions ?? 0;
      if (t.partitions.length !== expected) mismatched.push({ topic: t.name, expected, actual: t.partitions.length });
    }
  }
  return { created, existing: existingNames, mismatched };
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as { type?: string; errors?: { type?: string }[] };
  if (e?.type === 'TOPIC_ALREADY_EXISTS') return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every((x) => x?.type === 'TOPIC_ALREADY_EXISTS');
}
