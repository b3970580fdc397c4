import type { Admin, ITopicConfig } from 'kafkajs';
import { physicalTopic, type TopicSpec } from '@app/contracts';
import { replicationFor, type Replication, type ReplicationSettings } from './replication';
import { retryTransient, type RetryOptions } from './retry';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics whose partition count differs from the registry (left alone, but worth a warning). */
  mismatched: { topic: string; expected: number; actual: number }[];
  /** Existing topics with fewer copies than new ones get (left alone, but a lost broker may cost them). */
  underReplicated: { topic: string; expected: number; actual: number }[];
  /** The replication new topics get (created ones got it). */
  replication: Replication;
}

function toTopicConfig(prefix: string, spec: TopicSpec, replication: Replication): ITopicConfig {
  const configEntries: { name: string; value: string }[] = [
    { name: 'cleanup.policy', value: spec.cleanupPolicy },
    { name: 'min.insync.replicas', value: String(replication.minInsync) },
  ];
  if (spec.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  return { topic: physicalTopic(prefix, spec.name), numPartitions: spec.partitions, replicationFactor: replication.factor, configEntries };
}

/** A topic whose metadata is not complete yet (absent, or a partition without a leader): worth waiting for. */
export class TopicsNotReadyError extends Error {
  readonly retriable = true;
  constructor(readonly topics: string[]) {
    super(`topics not ready yet (missing, or partitions without a leader): ${topics.join(', ')}`);
    this.name = 'TopicsNotReadyError';
  }
}

export type EnsureTopicsOptions = Partial<RetryOptions> & { replication?: ReplicationSettings };

/**
 * Creates the topics that do not exist yet and leaves existing ones untouched. Safe to call from every
 * process at start-up, concurrently: a topic created by someone else in between counts as existing.
 *
 * Returns only once the metadata of every wanted topic is visible with a leader for each partition: a
 * broker answers CreateTopics before its metadata cache (KRaft) knows the new partitions, and a client
 * that produces or consumes at once got "This server does not host this topic-partition". kafkajs's own
 * waitForLeaders retries LEADER_NOT_AVAILABLE only and gave up on exactly that error. Errors Kafka marks
 * retriable are retried with backoff within `totalMs` (60 s by default), then a clear error is thrown.
 *
 * New topics get the replication of `replicationFor` (3 copies and min.insync.replicas=2 on three or more
 * brokers, 1 on one broker, or `options.replication`); an impossible one throws ReplicationError at once.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], prefix = '', options: EnsureTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const { replication: wantedReplication, ...retryOptions } = options;
  const retry: RetryOptions = { totalMs: 60_000, initialMs: 100, maxMs: 2000, ...retryOptions };
  const deadline = Date.now() + retry.totalMs;
  const left = (): RetryOptions => ({ ...retry, totalMs: Math.max(0, deadline - Date.now()) });
  const wanted = new Map(specs.map((s) => [physicalTopic(prefix, s.name), s]));
  const present = new Set(await retryTransient('listing topics', () => admin.listTopics(), left()));
  const absent = [...wanted.entries()].filter(([name]) => !present.has(name));
  const brokers = (await retryTransient('describing the cluster', () => admin.describeCluster(), left())).brokers.length;
  const replication = replicationFor(brokers, wantedReplication);
  const missing = absent.map(([, s]) => toTopicConfig(prefix, s, replication));
  const created: string[] = [];
  if (missing.length > 0) {
    let allCreated = false;
    await retryTransient(
      'creating topics',
      async () => {
        try {
          // Leaders are waited for below, for every wanted topic, with retries kafkajs does not do.
          await admin.createTopics({ topics: missing, waitForLeaders: false });
          allCreated = true;
        } catch (err) {
          // A concurrent creator wins a race: TOPIC_ALREADY_EXISTS is fine (also on a retry of our own).
          if (!isAlreadyExists(err)) throw err;
        }
      },
      left(),
    );
    // Answered without error: every one is ours. A listing right after creation may not show them yet
    // (a loaded broker's metadata lags), and a topic left out here was not waited for below.
    const after = allCreated ? undefined : new Set(await retryTransient('listing topics', () => admin.listTopics(), left()));
    for (const t of missing) if (!after || after.has(t.topic)) created.push(t.topic);
  }
  const meta = await retryTransient(
    'waiting for topic metadata',
    async () => {
      const m = await admin.fetchTopicMetadata({ topics: [...wanted.keys()] });
      const byName = new Map(m.topics.map((t) => [t.name, t]));
      const notReady = [...wanted.keys()].filter((name) => {
        const t = byName.get(name);
        return !t || t.partitions.length === 0 || t.partitions.some((p) => p.leader === undefined || p.leader < 0);
      });
      if (notReady.length > 0) throw new TopicsNotReadyError(notReady);
      // Metadata can name a leader before that broker hosts the partition (a produce then meets
      // NOT_LEADER_OR_FOLLOWER): ListOffsets goes to each partition's leader and answers only once it does.
      await Promise.all(created.map((topic) => offsetsAnswered(admin, topic)));
      return m;
    },
    left(),
  );
  const existingNames = [...wanted.keys()].filter((n) => present.has(n));
  const mismatched: EnsureTopicsResult['mismatched'] = [];
  const underReplicated: EnsureTopicsResult['underReplicated'] = [];
  for (const t of meta.topics) {
    if (!present.has(t.name)) continue;
    const expected = wanted.get(t.name)?.partitions ?? 0;
    if (t.partitions.length !== expected) mismatched.push({ topic: t.name, expected, actual: t.partitions.length });
    const copies = Math.min(...t.partitions.map((p) => p.replicas?.length ?? 0));
    if (copies < replication.factor) underReplicated.push({ topic: t.name, expected: replication.factor, actual: copies });
  }
  return { created, existing: existingNames, mismatched, underReplicated, replication };
}

/**
 * ListOffsets for `topic`, answered by each partition's leader. On a cluster, right after creation, a
 * broker's metadata can name no partitions for the topic yet; kafkajs then finds no offsets at all and
 * fails with a TypeError ("Cannot destructure property 'partitions' of 'high.pop(...)'"), which looked
 * fatal and stopped `npm run stack` on three brokers. That is "not ready yet", like a missing leader.
 */
async function offsetsAnswered(admin: Admin, topic: string): Promise<void> {
  try {
    await admin.fetchTopicOffsets(topic);
  } catch (err) {
    if (err instanceof TypeError) throw new TopicsNotReadyError([topic]);
    throw err;
  }
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as { type?: string; errors?: { type?: string }[] };
  if (e?.type === 'TOPIC_ALREADY_EXISTS') return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every((x) => x?.type === 'TOPIC_ALREADY_EXISTS');
}
