/**
 * kafkajs 2.2.4 retried a produce only towards brokers that had not answered yet. When a broker failed and
 * its partitions' leadership moved to a broker that had already answered (a broker restart in a cluster),
 * those partitions' messages were never sent again, and `send`/`sendBatch` resolved as if they had been
 * written: the ingress answered 202 for records that were not in Kafka (the cluster fault suite's rolling
 * restart lost 16 acknowledged webhooks). patches/kafkajs+2.2.4.patch tracks acknowledgements per partition.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (deps: unknown) => (req: unknown) => Promise<{ topicName: string; partition: number }[]>;

interface Produced {
  broker: number;
  partitions: number[];
}

/** Two partitions, led by brokers 1 and 2; broker 2 fails once, and partition 1 then moves to broker 1. */
function fakeCluster(produced: Produced[]) {
  let moved = false;
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({ topicData }: { topicData: { topic: string; partitions: { partition: number }[] }[] }) => {
      const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
      if (nodeId === 2 && !moved) {
        moved = true;
        throw Object.assign(new Error('This server is not the leader for that topic-partition'), { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
      }
      produced.push({ broker: nodeId, partitions });
      return { topics: topicData.map((t) => ({ topicName: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) })) };
    },
  });
  const brokers = new Map([1, 2].map((id) => [id, broker(id)]));
  return {
    targetTopics: new Set(['t']),
    addMultipleTargetTopics: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => undefined,
    isConnected: () => true,
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: 1 },
      { partitionId: 1, leader: moved ? 1 : 2 },
    ],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const byLeader: Record<number, number[]> = {};
      for (const p of partitions.map(Number)) (byLeader[p === 1 && !moved ? 2 : 1] ??= []).push(p);
      return byLeader;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
  };
}

const eosManager = {
  isTransactional: () => false,
  acquireBrokerLock: async () => undefined,
  releaseBrokerLock: async () => undefined,
  getSequence: () => 0,
  updateSequence: () => undefined,
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
};

/** A retrier that tries up to 5 times without waiting. */
const retrier = async <T>(fn: (bail: (e: Error) => never, retryCount: number, retryTime: number) => Promise<T>): Promise<T> => {
  let last: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      return await fn((e) => {
        throw e;
      }, i, 0);
    } catch (e) {
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
};

describe('kafkajs producer retries after a leader moves (patched)', () => {
  it('sends the failed partition again to its new leader even when that broker already answered', async () => {
    const produced: Produced[] = [];
    const logger = { debug: () => undefined, error: () => undefined, info: () => undefined, warn: () => undefined };
    const send = createSendMessages({ logger, cluster: fakeCluster(produced), partitioner: ({ message }: { message: { partition: number } }) => message.partition, eosManager, retrier });
    const result = await send({ acks: -1, timeout: 1000, topicMessages: [{ topic: 't', messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] }] });
    // Partition 1 reached broker 1 on the retry; partition 0 was written once.
    expect(produced).toEqual([
      { broker: 1, partitions: [0] },
      { broker: 1, partitions: [1] },
    ]);
    expect(result.map((r) => `${r.topicName}/${r.partition}`).sort()).toEqual(['t/0', 't/1']);
  });
});
