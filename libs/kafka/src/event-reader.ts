import type { Kafka, KafkaMessage } from 'kafkajs';
import { physicalTopic } from '@app/contracts';
import { decodeRecord } from './event-records';
import { TraceIndex } from './event-trace';
import { readToEnd, type ReadOptions, type ReadResult } from './read-to-end';

/**
 * `readToEnd` in logical topic names: reads `topics` under `prefix` and hands each record over with its
 * logical topic name; unfinished partitions are named logically too.
 */
export async function readEvents(
  kafka: Kafka,
  prefix: string,
  topics: string[],
  onRecord: (topic: string, partition: number, message: KafkaMessage) => void,
  options: ReadOptions,
): Promise<ReadResult> {
  const logical = new Map(topics.map((t) => [physicalTopic(prefix, t), t]));
  const name = (physical: string) => logical.get(physical) ?? physical;
  const result = await readToEnd(kafka, [...logical.keys()], (topic, partition, m) => onRecord(name(topic), partition, m), options);
  return {
    complete: result.complete,
    unfinished: result.unfinished.map((k) => {
      const at = k.lastIndexOf('/');
      return `${name(k.slice(0, at))}${k.slice(at)}`;
    }),
  };
}

/**
 * Every record with a CloudEvent id on `topics`, indexed for `trace(id)`. Only a preview of each record's
 * data is kept: a trace holds every record of every topic in memory at once.
 */
export async function readTraceIndex(kafka: Kafka, prefix: string, topics: string[], options: ReadOptions): Promise<ReadResult & { index: TraceIndex }> {
  const index = new TraceIndex();
  const result = await readEvents(
    kafka,
    prefix,
    topics,
    (topic, partition, message) => {
      if (message.headers?.ce_id === undefined) return;
      index.add(decodeRecord(topic, partition, message, false));
    },
    options,
  );
  return { ...result, index };
}
