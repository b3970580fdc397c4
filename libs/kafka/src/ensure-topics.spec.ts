import type { Admin } from 'kafkajs';
import { ensureTopics } from './ensure-topics';
import { ReplicationError } from './replication';
import { isRetriable, retryTransient, StartupTimeoutError } from './retry';
import type { TopicSpec } from '@app/contracts';

/** kafkajs's protocol errors carry `type` and `retriable`. */
const kafkaError = (type: string, retriable: boolean) => Object.assign(new Error(type === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'This server does not host this topic-partition' : type), { type, retriable });

const specs: TopicSpec[] = [
  { name: 'a', partitions: 2, cleanupPolicy: 'delete', description: '' },
  { name: 'b', partitions: 1, cleanupPolicy: 'compact', description: '' },
];

/** A fake admin whose calls fail as scripted, then answer from an in-memory cluster. */
function fakeAdmin(script: { list?: Error[]; create?: Error[]; meta?: (Error | 'no-leader' | 'absent')[]; offsets?: Error[]; brokers?: number } = {}) {
  const topics = new Map<string, number>();
  const replicas = new Map<string, number>();
  const created: { topic: string; replicationFactor?: number; configEntries?: { name: string; value: string }[] }[] = [];
  const calls = { list: 0, create: 0, meta: 0, offsets: 0 };
  const admin = {
    describeCluster: async () => ({ brokers: Array.from({ length: script.brokers ?? 1 }, (_, i) => ({ nodeId: i + 1 })), controller: 1, clusterId: 'c' }),
    listTopics: async () => {
      calls.list++;
      const e = script.list?.shift();
      if (e) throw e;
      return [...topics.keys()];
    },
    createTopics: async ({ topics: list }: { topics: { topic: string; numPartitions: number; replicationFactor?: number }[] }) => {
      calls.create++;
      const e = script.create?.shift();
      for (const t of list) {
        topics.set(t.topic, t.numPartitions);
        replicas.set(t.topic, t.replicationFactor ?? 1);
        created.push(t);
      }
      if (e) throw e;
      return true;
    },
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => {
      calls.meta++;
      const e = script.meta?.shift();
      if (e instanceof Error) throw e;
      return {
        topics: names
          .filter((n) => topics.has(n) && !(e === 'absent' && n === names[0]))
          .map((name) => ({ name, partitions: Array.from({ length: topics.get(name) ?? 0 }, (_, i) => ({ partitionId: i, leader: e === 'no-leader' && i === 0 ? -1 : 1, replicas: Array.from({ length: replicas.get(name) ?? 1 }, (_r, j) => j + 1) })) })),
      };
    },
    fetchTopicOffsets: async (topic: string) => {
      calls.offsets++;
      const e = script.offsets?.shift();
      if (e) throw e;
      return Array.from({ length: topics.get(topic) ?? 0 }, (_, partition) => ({ partition, offset: '0', high: '0', low: '0' }));
    },
  };
  return { admin: admin as unknown as Admin, calls, topics, replicas, created };
}

const fast = { initialMs: 1, maxMs: 2, totalMs: 2000 };

describe('ensureTopics: start-up retries and waiting for metadata', () => {
  it('retries "does not host this topic-partition" and missing leaders after creating, then returns', async () => {
    const f = fakeAdmin({ meta: [kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true), 'absent', 'no-leader', kafkaError('LEADER_NOT_AVAILABLE', true)] });
    const retries: number[] = [];
    const r = await ensureTopics(f.admin, specs, 'p.', { ...fast, onRetry: (_e, attempt) => retries.push(attempt) });
    expect(r.created.sort()).toEqual(['p.a', 'p.b']);
    expect(f.calls.meta).toBe(5);
    expect(retries).toEqual([1, 2, 3, 4]);
  });

  it('waits until the leaders host the new partitions (ListOffsets answers)', async () => {
    const f = fakeAdmin({ offsets: [kafkaError('NOT_LEADER_OR_FOLLOWER', true)] });
    await ensureTopics(f.admin, specs, '', fast);
    expect(f.calls.meta).toBe(2);
    expect(f.calls.offsets).toBe(4); // both topics, twice
  });

  it('retries the TypeError kafkajs throws when a new topic has no partitions in its metadata yet (seen on three brokers)', async () => {
    const f = fakeAdmin({ offsets: [new TypeError("Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.")] });
    const r = await ensureTopics(f.admin, specs, '', fast);
    expect(r.created.sort()).toEqual(['a', 'b']);
    expect(f.calls.meta).toBe(2);
  });

  it('counts topics it created even when a listing right after does not show them yet', async () => {
    const f = fakeAdmin();
    let lists = 0;
    const list = f.admin.listTopics.bind(f.admin);
    f.admin.listTopics = async () => (++lists === 1 ? list() : []);
    const r = await ensureTopics(f.admin, specs, '', fast);
    expect(r.created.sort()).toEqual(['a', 'b']);
    expect(f.calls.offsets).toBe(2); // and waited for both
  });

  it('retries retriable errors of listing and creating; a concurrent creator (TOPIC_ALREADY_EXISTS) is fine', async () => {
    const f = fakeAdmin({ list: [Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError', retriable: true })], create: [kafkaError('NOT_CONTROLLER', true), Object.assign(new Error('agg'), { errors: [kafkaError('TOPIC_ALREADY_EXISTS', false)] })] });
    const r = await ensureTopics(f.admin, specs, '', fast);
    expect(f.calls.list).toBe(3);
    expect(f.calls.create).toBe(2);
    expect(r.created.sort()).toEqual(['a', 'b']);
  });

  it('does not retry a non-retriable error', async () => {
    const f = fakeAdmin({ create: [kafkaError('POLICY_VIOLATION', false)] });
    await expect(ensureTopics(f.admin, specs, '', fast)).rejects.toThrow('POLICY_VIOLATION');
    expect(f.calls.create).toBe(1);
  });

  it('gives up after its overall budget with a clear error naming the step and the cause', async () => {
    const f = fakeAdmin({ meta: Array.from({ length: 1000 }, () => kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true)) });
    const err = await ensureTopics(f.admin, specs, '', { initialMs: 5, maxMs: 10, totalMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupTimeoutError);
    expect((err as Error).message).toMatch(/^waiting for topic metadata did not succeed within the start-up budget after \d+ attempts: .*does not host this topic-partition/);
  });

  it('leaves existing topics alone and reports partition mismatches', async () => {
    const f = fakeAdmin();
    f.topics.set('a', 3);
    const r = await ensureTopics(f.admin, specs, '', fast);
    expect(r.existing).toEqual(['a']);
    expect(r.created).toEqual(['b']);
    expect(r.mismatched).toEqual([{ topic: 'a', expected: 2, actual: 3 }]);
  });
});

describe('ensureTopics: replication', () => {
  const config = (t: { configEntries?: { name: string; value: string }[] }, name: string) => t.configEntries?.find((c) => c.name === name)?.value;

  it.each([
    // brokers, KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS -> factor, min.insync.replicas
    [1, undefined, undefined, 1, '1'],
    [2, undefined, undefined, 2, '1'],
    [3, undefined, undefined, 3, '2'],
    [5, undefined, undefined, 3, '2'],
    [5, 5, undefined, 5, '2'],
    [3, 3, 3, 3, '3'],
    [3, 1, undefined, 1, '1'],
    [3, undefined, 1, 3, '1'],
  ])('on %i brokers with factor %s and min ISR %s creates topics with factor %i and min.insync.replicas %s', async (brokers, factor, minInsync, rf, isr) => {
    const f = fakeAdmin({ brokers });
    const r = await ensureTopics(f.admin, specs, '', { ...fast, replication: { factor, minInsync } });
    expect(f.created.map((t) => t.replicationFactor)).toEqual([rf, rf]);
    expect(f.created.map((t) => config(t, 'min.insync.replicas'))).toEqual([isr, isr]);
    expect(r.replication).toEqual({ factor: rf, minInsync: Number(isr) });
  });

  it.each([
    [1, 3, undefined, 'REPLICATION_FACTOR_TOO_HIGH'],
    [2, 3, undefined, 'REPLICATION_FACTOR_TOO_HIGH'],
    [3, 2, 3, 'MIN_INSYNC_ABOVE_REPLICATION'],
    [1, undefined, 2, 'MIN_INSYNC_ABOVE_REPLICATION'],
  ])('on %i brokers refuses factor %s / min ISR %s at once with %s, creating nothing', async (brokers, factor, minInsync, code) => {
    const f = fakeAdmin({ brokers });
    const err = await ensureTopics(f.admin, specs, '', { ...fast, replication: { factor, minInsync } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicationError);
    expect((err as ReplicationError).code).toBe(code);
    expect((err as Error).message).toMatch(new RegExp(`^${code}: `));
    expect(f.calls.create).toBe(0);
  });

  it('reports existing topics with fewer copies than new ones get, and leaves them alone', async () => {
    const f = fakeAdmin({ brokers: 3 });
    f.topics.set('a', 2);
    f.replicas.set('a', 1);
    const r = await ensureTopics(f.admin, specs, '', fast);
    expect(r.underReplicated).toEqual([{ topic: 'a', expected: 3, actual: 1 }]);
    expect(f.created.map((t) => t.topic)).toEqual(['b']);
  });
});

describe('retryTransient', () => {
  it('backs off exponentially up to the cap, within the budget', async () => {
    let t = 0;
    const waits: number[] = [];
    let n = 0;
    const v = await retryTransient(
      'x',
      async () => {
        if (++n < 6) throw Object.assign(new Error('later'), { retriable: true });
        return 'ok';
      },
      { totalMs: 10_000, initialMs: 100, maxMs: 500, now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)) },
    );
    expect(v).toBe('ok');
    // The shared backoff: doubling up to the cap, each wait less up to a fifth of jitter.
    [100, 200, 400, 500, 500].forEach((ms, i) => {
      expect(waits[i]).toBeLessThanOrEqual(ms);
      expect(waits[i]).toBeGreaterThanOrEqual(ms * 0.8);
    });
    expect(waits).toHaveLength(5);
  });

  it('sees retriable causes through kafkajs wrappers', () => {
    expect(isRetriable(Object.assign(new Error('KafkaJSNumberOfRetriesExceeded'), { retriable: false, cause: kafkaError('UNKNOWN_TOPIC_OR_PARTITION', true) }))).toBe(true);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });
});
