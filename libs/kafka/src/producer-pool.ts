import type { Kafka } from 'kafkajs';
import type { JsonLogger } from '@app/common';
import { BatchingProducer, type BatchingProducerOptions, type OutboundRecord, type ProducerPort } from './batching-producer';

/** FNV-1a: cheap and stable, enough to spread keys over a handful of producers. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Several batching producers, each with its one produce request in flight. A single producer caps
 * throughput at (batch size / acks=all round trip); several overlap their round trips. A record goes to
 * the producer chosen by its topic and key, so one entity's records keep their order.
 */
export class ProducerPool implements ProducerPort {
  private readonly producers: BatchingProducer[];

  constructor(kafka: Kafka, logger: JsonLogger, size: number, options: BatchingProducerOptions) {
    const share = (n: number) => Math.max(1, Math.ceil(n / size));
    this.producers = Array.from(
      { length: size },
      () =>
        new BatchingProducer(kafka, logger, {
          ...options,
          maxPendingRecords: share(options.maxPendingRecords),
          maxPendingBytes: Math.max(share(options.maxPendingBytes), options.maxBatchBytes),
        }),
    );
  }

  /** Ready only when every producer is: a stuck one would refuse its share of the keys. */
  get connected(): boolean {
    return this.producers.every((p) => p.connected);
  }

  get inFlight(): number {
    return this.producers.reduce((n, p) => n + p.inFlight, 0);
  }

  async connect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.connect()));
  }

  send(record: OutboundRecord): Promise<void> {
    const key = record.message.key;
    const shard = hash(record.topic + (key === null || key === undefined ? '' : key.toString())) % this.producers.length;
    return this.producers[shard].send(record);
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.disconnect()));
  }
}
