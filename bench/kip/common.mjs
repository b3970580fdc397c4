// Shared by the Kafka client comparison tools in bench/kip (see docs/adr/0005-kafka-client.md).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const native = require('../../scripts/native-kafka.js');
// kafkajs comes from the monorepo's install (patched by patches/kafkajs+2.2.4.patch).
export const kafkajs = require('kafkajs');

/**
 * Uses KAFKA_BROKERS when set; otherwise starts a native broker on KIP_BENCH_KAFKA_PORT (default 29394),
 * and stops and wipes it at the end.
 */
export async function withBroker(fn) {
  const external = process.env.KAFKA_BROKERS;
  const port = Number(process.env.KIP_BENCH_KAFKA_PORT || 29394);
  if (!external) {
    native.wipe({ port });
    await native.start({ port });
  }
  try {
    return await fn((external || `127.0.0.1:${port}`).split(','));
  } finally {
    if (!external) {
      await native.stop({ port });
      native.wipe({ port });
    }
  }
}

/** The retry schedule the runtime gives kafkajs (5 ms first wait, doubling, at most 1 s), for @platformatic/kafka. */
export const pltRetry = { retries: 10, retryDelay: (_client, _op, attempt) => Math.min(1000, 5 * 2 ** attempt) };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** "min / median / max" of a list of numbers. */
export function mmm(xs, digits = 0) {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x) => (digits ? x.toFixed(digits) : String(Math.round(x)));
  return `${f(s[0])} / ${f(s[(s.length - 1) >> 1])} / ${f(s[s.length - 1])}`;
}

export const runtime = () => `Node ${process.version}`;
