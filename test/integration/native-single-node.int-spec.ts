import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  start(o: { port: number }): Promise<{ started: boolean; pid: number }>;
  stop(o: { port: number; signal?: string; graceMs?: number }): Promise<{ stopped: boolean }>;
  status(o: { port: number }): Promise<{ running: boolean; pid?: number; answers: boolean; log: string; controller: { pid?: number; log: string } }>;
  wipe(o: { port: number }): void;
};

/**
 * The project's single node is a broker and a KRaft controller in two processes (scripts/native-kafka.js,
 * ADR 3): the controller outlives the broker, fences it while it is down, and a restart never meets the
 * broker's old registration. In one combined process, a restart after a crash met it
 * (DuplicateBrokerRegistrationException until its session expired) and the controller then took every
 * partition's leader away while the restarted broker's transaction coordinator wrote commit markers, which
 * Kafka then skips for good. On a broker of its own: the test broker's port + 400.
 */
const PORT = Number(process.env.TEST_NODE_KAFKA_PORT || Number(process.env.TEST_KAFKA_PORT || 19092) + 400);
const FENCE = /Fencing broker 1 at epoch \d+ because its session has timed out/g;
const DUPLICATE = 'DuplicateBrokerRegistrationException';

describe('native single node: broker and controller in two processes', () => {
  let controllerLog = '';
  const logText = () => readFileSync(controllerLog, 'utf8');
  const fences = () => (logText().match(FENCE) ?? []).length;
  const gone = async (pid: number) => {
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`process ${pid} did not exit`);
  };

  beforeAll(async () => {
    await native.start({ port: PORT });
    controllerLog = (await native.status({ port: PORT })).controller.log;
  });
  afterAll(async () => {
    await native.stop({ port: PORT });
    native.wipe({ port: PORT });
  });

  it('a stop waits for the controller to fence the broker, and a restart after a crash meets no old registration', async () => {
    const first = await native.status({ port: PORT });
    expect(first.running && first.answers).toBe(true);
    expect(first.controller.pid).toBeDefined();
    expect(first.controller.pid).not.toBe(first.pid);
    const brokerLog = first.log;

    // A clean stop: no controlled shutdown (it would take every partition's leader away while the
    // transaction coordinator writes markers), and the controller fences the broker before it stops too.
    let before = fences();
    expect((await native.stop({ port: PORT })).stopped).toBe(true);
    expect(fences()).toBe(before + 1);
    expect(readFileSync(brokerLog, 'utf8')).not.toContain('Beginning controlled shutdown');
    expect((await native.status({ port: PORT })).controller.pid).toBeUndefined();
    expect((await native.start({ port: PORT })).started).toBe(true);

    // A crash through stop(): the broker is killed, the controller fences it before it stops too.
    before = fences();
    expect((await native.stop({ port: PORT, signal: 'SIGKILL', graceMs: 5000 })).stopped).toBe(true);
    expect(fences()).toBe(before + 1);
    expect((await native.start({ port: PORT })).started).toBe(true);

    // A crash, then stop() at once: the stop still waits for the controller's fence.
    const crash = async () => {
      const { pid } = await native.status({ port: PORT });
      if (!pid) throw new Error('broker not running');
      process.kill(pid, 'SIGKILL');
      await gone(pid);
    };
    await crash();
    before = fences();
    expect((await native.stop({ port: PORT })).stopped).toBe(true);
    expect(fences()).toBe(before + 1);
    expect((await native.start({ port: PORT })).started).toBe(true);

    // A crash that stop() never saw: the restart waits for the controller's fence first.
    await crash();
    before = fences();
    expect((await native.start({ port: PORT })).started).toBe(true);
    expect(fences()).toBe(before + 1);
    const after = await native.status({ port: PORT });
    expect(after.running && after.answers).toBe(true);

    // The controller never had to refuse a registration because an older one was still alive.
    expect(logText()).not.toContain(DUPLICATE);
  }, 300_000);
});
