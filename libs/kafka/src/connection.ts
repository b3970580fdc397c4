import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { ConfigError, EnvReader } from '@app/common';
import type { ReplicationSettings } from './replication';

export const DEFAULT_BROKERS = ['127.0.0.1:9092'];

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  ssl?: KafkaConfig['ssl'];
  sasl?: SASLOptions;
  /** Prefix applied to every topic name from the registry (isolates test runs and environments). */
  topicPrefix: string;
  /** KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS for topics this process creates (unset: from the cluster's size). */
  replication?: ReplicationSettings;
}

/** Brokers from KAFKA_BROKERS (comma-separated) or the local default: the one way every process finds Kafka. */
export function brokersFromEnv(env = new EnvReader()): string[] {
  const brokers = env.list('KAFKA_BROKERS', DEFAULT_BROKERS);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new ConfigError(`KAFKA_BROKERS entries must be host:port, got "${b}"`);
  }
  return brokers;
}

/** A client id unique per process, so broker logs and quotas tell processes apart. */
export function uniqueClientId(base: string): string {
  return `${base}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function kafkaConnectionFromEnv(service: string, env = new EnvReader()): KafkaConnection {
  const conn: KafkaConnection = {
    brokers: brokersFromEnv(env),
    clientId: uniqueClientId(env.string('KAFKA_CLIENT_ID', service)),
    topicPrefix: env.string('KAFKA_TOPIC_PREFIX', ''),
  };
  if (conn.topicPrefix && !/^[a-zA-Z0-9._-]+$/.test(conn.topicPrefix)) {
    throw new ConfigError(`KAFKA_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-", got "${conn.topicPrefix}"`);
  }
  const factor = env.raw('KAFKA_REPLICATION_FACTOR') === undefined ? undefined : env.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 32767 });
  const minInsync = env.raw('KAFKA_MIN_INSYNC_REPLICAS') === undefined ? undefined : env.int('KAFKA_MIN_INSYNC_REPLICAS', 1, { min: 1, max: 32767 });
  if (factor !== undefined && minInsync !== undefined && minInsync > factor) {
    throw new ConfigError(`KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR (${factor}), got ${minInsync}`);
  }
  if (factor !== undefined || minInsync !== undefined) conn.replication = { factor, minInsync };
  if (env.bool('KAFKA_SSL', false)) {
    const file = (name: string) => {
      const p = env.optional(name);
      if (!p) return undefined;
      try {
        return readFileSync(p, 'utf8');
      } catch {
        throw new ConfigError(`${name} names a file that cannot be read: ${p}`);
      }
    };
    conn.ssl = {
      rejectUnauthorized: env.bool('KAFKA_SSL_REJECT_UNAUTHORIZED', true),
      ca: file('KAFKA_SSL_CA_FILE'),
      cert: file('KAFKA_SSL_CERT_FILE'),
      key: file('KAFKA_SSL_KEY_FILE'),
    };
  }
  const mechanism = env.optional('KAFKA_SASL_MECHANISM');
  if (mechanism) {
    const m = env.choice('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'plain');
    const username = env.string('KAFKA_SASL_USERNAME');
    const password = env.raw('KAFKA_SASL_PASSWORD');
    if (password === undefined) throw new ConfigError('KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set');
    conn.sasl = { mechanism: m, username, password };
  }
  return conn;
}
