/**
 * How many copies of each project topic Kafka keeps, and how many must acknowledge a write. A cluster of
 * three or more brokers gets replication factor 3 and min.insync.replicas=2 (one broker may be lost or
 * restarted without refusing a write or losing an acknowledged one); a single broker gets 1 and 1.
 * KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS override either.
 */
export interface ReplicationSettings {
  /** Copies of each partition; undefined: chosen from the number of brokers. */
  factor?: number;
  /** Replicas that must have a write before acks=all answers; undefined: 2 with 3+ copies, else 1. */
  minInsync?: number;
}

export interface Replication {
  factor: number;
  minInsync: number;
}

export type ReplicationErrorCode = 'REPLICATION_FACTOR_TOO_HIGH' | 'MIN_INSYNC_ABOVE_REPLICATION';

/** A replication that the cluster cannot give: not retriable, the process stops with this code. */
export class ReplicationError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: ReplicationErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ReplicationError';
  }
}

/** The replication new topics get on a cluster of `brokers` live brokers; throws ReplicationError when impossible. */
export function replicationFor(brokers: number, wanted: ReplicationSettings = {}): Replication {
  const factor = wanted.factor ?? Math.max(1, Math.min(3, brokers));
  const minInsync = wanted.minInsync ?? (factor >= 3 ? 2 : 1);
  if (factor > brokers) {
    throw new ReplicationError(
      'REPLICATION_FACTOR_TOO_HIGH',
      `replication factor ${factor} needs at least ${factor} brokers, the cluster has ${brokers} (set KAFKA_REPLICATION_FACTOR to ${brokers} or less)`,
    );
  }
  if (minInsync > factor) {
    throw new ReplicationError(
      'MIN_INSYNC_ABOVE_REPLICATION',
      `min.insync.replicas ${minInsync} is more than the replication factor ${factor}: no acks=all write could ever succeed (set KAFKA_MIN_INSYNC_REPLICAS to ${factor} or less)`,
    );
  }
  return { factor, minInsync };
}
