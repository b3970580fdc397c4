import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { ConfigError, EnvReader, type Env } from '@app/common';
import { physicalTopic } from '@app/contracts';
import { agentsWithDeadLetters as deadLetterAgents, createKafka, kafkaConnectionFromEnv, readTraceIndex, type KafkaConnection, type ReadProgress, type ReadResult, type TraceIndex } from '@app/kafka';

/** Kafka could not be reached (or refused us): exit code 3, with a message naming KAFKA_BROKERS. */
export class BrokerUnreachable extends Error {}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSSASLAuthenticationError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH']);

/** Whether an error (or what it wraps) says the broker could not be reached. */
export function isConnectionError(e: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (typeof cur === 'object' && cur !== null && !seen.has(cur)) {
    seen.add(cur);
    const err = cur as { name?: unknown; code?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof err.name === 'string' && CONNECTION_ERRORS.has(err.name)) return true;
    if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return true;
    cur = err.originalError ?? err.cause;
  }
  return false;
}

export function unreachableMessage(brokers: string[], e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  return `cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${why}`;
}

export interface Session {
  kafka: Kafka;
  conn: KafkaConnection;
  prefix: string;
  /** Physical names of every topic on the cluster, when the session opened. */
  topics: string[];
  close(): Promise<void>;
}

const CONNECT_DEADLINE_MS = 20_000;

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reads KAFKA_* like every hookline process (a ConfigError propagates: exit 2), connects an admin client
 * and lists the topics: any failure there is a BrokerUnreachable.
 */
export async function openSession(env: Env, connectDeadlineMs = CONNECT_DEADLINE_MS): Promise<Session> {
  const conn = kafkaConnectionFromEnv('hookline-cli', new EnvReader(env));
  const kafka = createKafka(conn);
  const admin: Admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
  let topics: string[];
  try {
    topics = await withDeadline(
      (async () => {
        await admin.connect();
        return admin.listTopics();
      })(),
      connectDeadlineMs,
      'Kafka',
    );
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw new BrokerUnreachable(unreachableMessage(conn.brokers, e));
  }
  return {
    kafka,
    conn,
    prefix: conn.topicPrefix,
    topics,
    close: () => admin.disconnect().catch(() => undefined),
  };
}

/** The physical names of logical `names` that do not exist on the cluster. */
export function missingTopics(session: Session, names: string[]): string[] {
  const present = new Set(session.topics);
  return names.filter((n) => !present.has(physicalTopic(session.prefix, n)));
}

/** Agents with a dead-letter topic under the prefix. */
export function agentsWithDeadLetters(session: Session): string[] {
  return deadLetterAgents(session.prefix, session.topics);
}

function readerGroup(): string {
  return `hookline-cli-${process.pid}-${Date.now().toString(36)}`;
}

/** Every event of `topics` (logical names) indexed by id and cause (`readTraceIndex` of @app/kafka). */
export function readTrace(session: Session, topics: string[], options: { deadlineMs: number; onProgress?: (p: ReadProgress) => void }): Promise<ReadResult & { index: TraceIndex }> {
  return readTraceIndex(session.kafka, session.prefix, topics, { ...options, groupId: readerGroup() });
}

export interface TailHandle {
  /** Resolves when the tail stopped (stop() called, or the consumer failed). */
  stopped: Promise<void>;
  stop(): void;
}

/** Follows `topics` (logical names), read_committed, from their beginning or from now on. */
export async function tailTopics(
  session: Session,
  topics: string[],
  fromBeginning: boolean,
  onRecord: (topic: string, partition: number, message: KafkaMessage) => boolean | void,
): Promise<TailHandle & { failure: () => unknown }> {
  const byPhysical = new Map(topics.map((t) => [physicalTopic(session.prefix, t), t]));
  const consumer = session.kafka.consumer({ groupId: readerGroup(), readUncommitted: false, maxWaitTimeInMs: 500 });
  let stopping = false;
  let failed: unknown;
  let finish: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: [...byPhysical.keys()], fromBeginning });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) {
      failed = payload.error;
      finish?.();
    }
  });
  consumer
    .run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const topic = byPhysical.get(batch.topic);
        if (topic === undefined) return;
        for (const m of batch.messages) {
          if (stopping) return;
          // onRecord answers true when it wants no more records (--max reached).
          if (onRecord(topic, batch.partition, m) === true) {
            stopping = true;
            finish?.();
            return;
          }
        }
      },
    })
    .catch((e: unknown) => {
      failed = e;
      finish?.();
    });
  const stopped = ended.then(() => consumer.disconnect().catch(() => undefined));
  return {
    stopped,
    stop: () => {
      stopping = true;
      finish?.();
    },
    failure: () => failed,
  };
}

export { ConfigError };

/** A rejection value as an Error (kafkajs rejects with errors, but a value of unknown type stays unknown). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
