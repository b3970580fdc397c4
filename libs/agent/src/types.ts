import type { CloudEvent, JsonLogger } from '@app/common';

export interface PublishOptions {
  /** What this follow-up is for; with the input id it makes the follow-up's id. Defaults to the type. */
  purpose?: string;
  /** Partition key of the follow-up; defaults to the input record's key. */
  key?: string;
  subject?: string;
}

/** Keyed state: get/put on the entity key (the input record's key) unless another key is named. */
export interface KeyedState {
  get<T>(key?: string): T | undefined;
  put<T>(value: T, key?: string): void;
  delete(key?: string): void;
}

/** What a handler receives beside its validated payload (use with Nest's @Ctx()). */
export interface AgentContext {
  readonly event: CloudEvent;
  /** The input record's key (the entity key). */
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
  readonly state: KeyedState;
  readonly logger: JsonLogger;
  /** Publishes a follow-up event in the same transaction as the input's offset; returns its id. */
  publish(topic: string, type: string, data: object, options?: PublishOptions): string;
  /**
   * Runs an effect outside Kafka (an HTTP call, an email) at most once per recorded outcome: `fn` gets an
   * idempotency key derived from the event id and `name`, and its result (JSON, at most 64 KiB) is recorded
   * in the agent's `processed` topic in the transaction that ends this attempt, whether the attempt
   * succeeds, is retried or is dead-lettered. Once recorded, a later attempt of the same event (a retry, a
   * redrive) gets the recorded result back without calling `fn`. Not recorded (a crash before the commit,
   * `fn` threw, the attempt timed out first): the next attempt calls `fn` again, with the same key.
   */
  effect<T>(name: string, fn: (idempotencyKey: string) => Promise<T>): Promise<T>;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface AgentOptions {
  /** Lower-case kebab-case; names the consumer group, the transactional ids and the agent's own topics. */
  name: string;
  dedupWindowMs: number;
  /** Keyed state not written for this long is deleted (a tombstone in a transaction); 0 keeps it forever. */
  stateTtlMs: number;
  retry: RetryPolicy;
  /** Records per transaction at most. */
  maxRecordsPerTransaction: number;
  /** Input partitions processed concurrently (each has its own transactional producer). */
  concurrency: number;
  /** Handler attempts running at once in the process, all partitions together (records of one key never overlap). */
  maxInFlight: number;
  /** An attempt still running after this long counts as a failed attempt. */
  handlerTimeoutMs: number;
  sessionTimeoutMs: number;
  /**
   * Set for a shadow instance (AGENT_SHADOW_PREFIX): the runtime's topic prefix then already ends with it,
   * and the instance reads only its own retry topic (what `hookline replay --shadow` feeds it), never the
   * real input topics.
   */
  shadowPrefix?: string;
}
