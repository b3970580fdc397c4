// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  stop(o: { port: number }): Promise<unknown>;
  wipe(o: { port: number }): void;
};

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const container = g.__KAFKA_CONTAINER__ as { stop(): Promise<unknown> } | undefined;
  if (container) await container.stop();
  if (g.__NATIVE_KAFKA_STARTED__) {
    const port = Number(process.env.TEST_KAFKA_PORT);
    await native.stop({ port });
    // The test broker is disposable: its topics are unique per run and would only slow the next start.
    native.wipe({ port });
  }
}
