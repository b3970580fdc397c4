import type { Admin, Kafka } from 'kafkajs';
import { EnvReader } from '@app/common';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { waitFor } from './kafka';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  start(o: { port: number; nodes: number; only?: number }): Promise<{ nodes: { port: number; pid: number }[] }>;
  stop(o: { port: number; nodes: number; only?: number; signal?: string; graceMs?: number }): Promise<unknown>;
  wipe(o: { port: number; nodes: number }): void;
  pidOf(o: { port: number; node?: number }): number | undefined;
  clusterPorts(port: number, nodes: number): number[];
};

/**
 * A three-node KRaft cluster of the project's native brokers (scripts/native-kafka.js) for the cluster
 * fault tests: node n (1-based, its Kafka node id) listens on base + 2(n-1), its controller on the next port.
 */
export class TestCluster {
  readonly ports: number[];
  readonly brokers: string;
  readonly kafka: Kafka;

  constructor(readonly base: number) {
    this.ports = native.clusterPorts(base, 3);
    this.brokers = this.ports.map((p) => `127.0.0.1:${p}`).join(',');
    this.kafka = createKafka(kafkaConnectionFromEnv('cluster-faults', new EnvReader({ KAFKA_BROKERS: this.brokers })));
  }

  /** Starts every node that is not running (or node `only`) and waits until it answers with all three brokers. */
  async start(only?: number): Promise<void> {
    await native.start({ port: this.base, nodes: 3, only });
  }

  async stop(node?: number, signal = 'SIGTERM', graceMs = 30_000): Promise<void> {
    await native.stop({ port: this.base, nodes: 3, only: node, signal, graceMs });
  }

  pid(node: number): number | undefined {
    return native.pidOf({ port: this.base, node });
  }

  /** Resumes any paused node, stops all and removes their data. */
  async destroy(): Promise<void> {
    for (const n of [1, 2, 3]) {
      const pid = this.pid(n);
      if (pid) process.kill(pid, 'SIGCONT');
    }
    await this.stop();
    native.wipe({ port: this.base, nodes: 3 });
  }

  async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The node id leading the most partitions of `topic` (ties: the lowest id). */
  async leaderOfMost(topic: string): Promise<{ node: number; led: number; partitions: number }> {
    const meta = await this.withAdmin((a) => a.fetchTopicMetadata({ topics: [topic] }));
    const counts = new Map<number, number>();
    for (const p of meta.topics[0].partitions) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    const [node, led] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    return { node, led, partitions: meta.topics[0].partitions.length };
  }

  /** Replicas and min.insync.replicas of `topics` (a topic's fewest replicas over its partitions). */
  async replication(topics: string[]): Promise<Record<string, { replicas: number; minInsync: string | undefined }>> {
    return this.withAdmin(async (a) => {
      const meta = await a.fetchTopicMetadata({ topics });
      const configs = await a.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: 2, name, configNames: ['min.insync.replicas'] })) });
      return Object.fromEntries(
        meta.topics.map((t) => [
          t.name,
          {
            replicas: Math.min(...t.partitions.map((p) => p.replicas.length)),
            minInsync: configs.resources.find((r) => r.resourceName === t.name)?.configEntries[0]?.configValue,
          },
        ]),
      );
    });
  }

  /**
   * Waits until all three brokers are registered and every partition of every topic has all its replicas
   * in sync (of `topics` and the internal ones, or of every topic): before the next fault, the cluster must
   * be whole again, or a second fault is a double one.
   */
  async waitInSync(topics?: string[], timeoutMs = 180_000): Promise<void> {
    await waitFor(
      () =>
        this.withAdmin(async (a) => {
          const cluster = await a.describeCluster();
          if (cluster.brokers.length < 3) return undefined;
          const meta = await a.fetchTopicMetadata(topics ? { topics: [...topics, '__consumer_offsets', '__transaction_state'] } : undefined);
          const lagging = meta.topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length || p.leader < 0).map((p) => `${t.name}-${p.partitionId}`));
          return lagging.length === 0 ? true : undefined;
        }),
      timeoutMs,
      500,
    );
  }
}
