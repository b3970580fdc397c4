/**
 * Finds a Kafka cluster for the integration tests, in this order:
 *   1. KAFKA_BROKERS, when set: an existing cluster, left as it is;
 *   2. a Docker engine that answers: Apache Kafka in a container via @testcontainers/kafka;
 *   3. otherwise the project's native broker (scripts/native-kafka.js) on a port of its own, so tests
 *      never touch the broker of a running `npm run stack`.
 * Whatever it starts, global-teardown stops.
 */
import { spawnSync } from 'node:child_process';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  start(o: { port: number }): Promise<{ started: boolean; port: number; log: string }>;
};

export const TEST_BROKER_PORT = Number(process.env.TEST_KAFKA_PORT || 19092);

function dockerAnswers(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().length > 0;
}

/** Crash tests run the apps as real processes from dist/: build once per run. */
function build(): void {
  const r = spawnSync(process.execPath, ['scripts/build.js'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

export default async function globalSetup(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  // Several projects share this setup: the first one does the work.
  if (process.env.TEST_KAFKA_MODE) return;
  build();
  if (process.env.KAFKA_BROKERS) {
    process.env.TEST_KAFKA_MODE = 'external';
    process.stdout.write(`\n[test] using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}\n`);
    return;
  }
  const t0 = Date.now();
  if (dockerAnswers()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('apache/kafka:4.4.0').withKraft().start();
    g.__KAFKA_CONTAINER__ = container;
    process.env.KAFKA_BROKERS = `${container.getHost()}:${container.getMappedPort(9093)}`;
    process.env.TEST_KAFKA_MODE = 'container';
  } else {
    const r = await native.start({ port: TEST_BROKER_PORT });
    g.__NATIVE_KAFKA_STARTED__ = r.started;
    process.env.KAFKA_BROKERS = `127.0.0.1:${r.port}`;
    process.env.TEST_KAFKA_MODE = 'native';
    process.env.TEST_KAFKA_PORT = String(r.port);
  }
  process.stdout.write(
    `\n[test] Kafka (${process.env.TEST_KAFKA_MODE}) at ${process.env.KAFKA_BROKERS}, ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`,
  );
}
