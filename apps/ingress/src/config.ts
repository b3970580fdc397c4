import { resolve } from 'node:path';
import { ConfigError, EnvReader } from '@app/common';
import { COMPRESSION_NAMES, type CompressionName } from '@app/kafka';

export interface IngressConfig {
  port: number;
  host: string;
  providersFile: string;
  bodyLimitBytes: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty means the socket address counts. */
  trustedProxies: string[];
  produceDeadlineMs: number;
  maxInFlightRecords: number;
  maxInFlightBytes: number;
  /** Producers, each with one produce request in flight; records are spread over them by key. */
  producerPoolSize: number;
  /** Compression of the produce requests (KAFKA_COMPRESSION). */
  compression: CompressionName;
  /** A connection's request headers must arrive within this, the whole request within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Ingress processes on this host sharing the port (Node cluster); 1 runs a single process. */
  workers: number;
}

/** Reads and checks every ingress setting at start-up; a bad value stops the process with its name. */
export function ingressConfigFromEnv(env = new EnvReader()): IngressConfig {
  const bodyLimitBytes = env.int('BODY_LIMIT_BYTES', 1024 * 1024, { min: 1024, max: 4 * 1024 * 1024 });
  const maxInFlightBytes = env.int('MAX_IN_FLIGHT_BYTES', 128 * 1024 * 1024, { min: 1024 * 1024, max: 4 * 1024 * 1024 * 1024 });
  if (maxInFlightBytes < bodyLimitBytes * 2) throw new ConfigError('MAX_IN_FLIGHT_BYTES must be at least twice BODY_LIMIT_BYTES');
  const headersTimeoutMs = env.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 });
  const requestTimeoutMs = env.int('HTTP_REQUEST_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 });
  if (requestTimeoutMs < headersTimeoutMs) throw new ConfigError(`HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}), got ${requestTimeoutMs}`);
  return {
    port: env.port('PORT', 3000),
    host: env.string('HOST', '0.0.0.0'),
    providersFile: resolve(env.string('PROVIDERS_FILE', 'config/providers.yaml')),
    bodyLimitBytes,
    trustedProxies: env.list('TRUSTED_PROXIES'),
    produceDeadlineMs: env.int('PRODUCE_DEADLINE_MS', 5000, { min: 100, max: 60_000 }),
    maxInFlightRecords: env.int('MAX_IN_FLIGHT_RECORDS', 20_000, { min: 10, max: 1_000_000 }),
    maxInFlightBytes,
    producerPoolSize: env.int('PRODUCER_POOL_SIZE', 1, { min: 1, max: 32 }),
    compression: env.oneOf('KAFKA_COMPRESSION', COMPRESSION_NAMES, 'none'),
    headersTimeoutMs,
    requestTimeoutMs,
    workers: env.int('INGRESS_WORKERS', 1, { min: 1, max: 64 }),
  };
}
