import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader } from '@app/common';
import { followUpId } from '@app/agent';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { header, readUntil, unique } from '../support/kafka';
import { WebhookFlow } from '../support/webhook-flow';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  start(o: { port: number }): Promise<{ pid: number }>;
  stop(o: { port: number; signal?: string; graceMs?: number }): Promise<unknown>;
  status(o: { port: number }): Promise<{ pid?: number }>;
  wipe(o: { port: number }): void;
};

/**
 * The whole path from HTTP to follow-ups while the broker is bounced (clean stop, then SIGKILL) and
 * frozen (SIGSTOP: a broker that accepts connections and never answers). On a broker of its own: the
 * test broker's port + 200 (19292 by default), so parallel runs with different TEST_KAFKA_PORTs never meet.
 */
const PORT = Number(process.env.TEST_FAULTS_KAFKA_PORT || Number(process.env.TEST_KAFKA_PORT || 19092) + 200);
const BROKERS = `127.0.0.1:${PORT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;

describe('broker faults while webhooks flow (real broker, whole pipeline)', () => {
  let ingress: RunningIngress;
  let agent: INestApplication;
  let kafka: Kafka;
  let webhooks: WebhookFlow;

  beforeAll(async () => {
    await native.start({ port: PORT });
    ingress = await startIngress({ brokers: BROKERS, deadlineMs: 2000, quiet: true });
    agent = await startAgent('lead-agent', LeadAgentModule, ingress.prefix, {}, BROKERS);
    kafka = createKafka(kafkaConnectionFromEnv('faults-reader', new EnvReader({ KAFKA_BROKERS: BROKERS })));
    webhooks = new WebhookFlow(ingress);
  });
  afterAll(async () => {
    await agent?.close();
    await ingress?.close();
    const { pid } = await native.status({ port: PORT });
    if (pid) process.kill(pid, 'SIGCONT');
    await native.stop({ port: PORT });
    native.wipe({ port: PORT });
  });

  // Sending, pacing and recovery are shared with the cluster fault suite (test/support/webhook-flow.ts).
  const send = (id: string) => webhooks.send(id);
  const flow = (label: string, count: number, faultAfter: number, fault: () => Promise<void>) => webhooks.flow(label, count, faultAfter, fault);
  const waitUntilAccepting = () => webhooks.waitUntilAccepting();

  it('stores every accepted webhook, answers 503 with Retry-After otherwise, and produces each follow-up exactly once', async () => {
    const run = unique('bounce');
    let restart: Promise<unknown> = Promise.resolve();
    await waitUntilAccepting();
    await flow(`${run}-clean`, 400, 100, async () => {
      await native.stop({ port: PORT });
      restart = sleep(3000).then(() => native.start({ port: PORT }));
    });
    await restart;
    await waitUntilAccepting();
    await flow(`${run}-kill`, 400, 100, async () => {
      await native.stop({ port: PORT, signal: 'SIGKILL', graceMs: 5000 });
      restart = sleep(3000).then(() => native.start({ port: PORT }));
    });
    await restart;
    await waitUntilAccepting();
    await flow(`${run}-after`, 50, -1, async () => undefined);

    const all = [...webhooks.outcomes];
    const accepted = all.filter(([, r]) => r.statusCode === 202).map(([id]) => id);
    const refused = all.filter(([, r]) => r.statusCode !== 202);
    expect(refused.length).toBeGreaterThan(0);
    // Before each fault and after recovery, everything is accepted.
    for (const phase of ['clean', 'kill']) {
      expect(all.filter(([id, r]) => id.startsWith(`${run}-${phase}-`) && Number(id.split('-').pop()) < 100 && r.statusCode !== 202)).toEqual([]);
    }
    expect(all.filter(([id, r]) => id.startsWith(`${run}-after-`) && r.statusCode !== 202)).toEqual([]);
    for (const [, r] of refused) {
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
    }

    // Every 202 is on its topic.
    const waitingFor = new Set(accepted);
    const inputs = await readUntil(
      kafka,
      [`${ingress.prefix}leads.created`],
      (rs) => {
        waitingFor.delete(header(rs[rs.length - 1].message, 'ce_id') ?? '');
        return waitingFor.size === 0;
      },
      60_000,
    );
    const stored = new Set(inputs.map((x) => header(x.message, 'ce_id')));
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);

    // Every stored input (accepted, or written although its caller timed out) has exactly one follow-up.
    let outputs = await readUntil(kafka, [`${ingress.prefix}leads.qualified`, `${ingress.prefix}leads.disqualified`], (rs) => rs.length >= stored.size, 120_000);
    // Read on briefly: a duplicate would arrive after the expected count.
    const more = await readUntil(kafka, [`${ingress.prefix}leads.qualified`, `${ingress.prefix}leads.disqualified`], (rs) => rs.length > outputs.length, 3000);
    if (more.length > outputs.length) outputs = more;
    const ids = outputs.map((x) => header(x.message, 'ce_id') ?? '');
    expect(ids.length - new Set(ids).size).toBe(0);
    const missing = [...stored].filter((id) => id && !ids.includes(followUpId(id, 'lead.qualified')) && !ids.includes(followUpId(id, 'lead.disqualified')));
    expect(missing).toEqual([]);
    console.log(
      `broker faults: ${all.length} webhooks sent, ${accepted.length} accepted, ${refused.length} refused with 503, 2 broker restarts (clean, SIGKILL), ` +
        `${stored.size} stored, ${ids.length} follow-ups, 0 lost, 0 duplicated`,
    );
  }, 400_000);

  it('sheds load with 503 while the broker is frozen, keeps memory bounded, and recovers when it thaws', async () => {
    const { pid } = await native.status({ port: PORT });
    if (!pid) throw new Error('broker not running');
    await waitUntilAccepting();
    process.kill(pid, 'SIGSTOP');
    try {
      gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = Date.now();
      const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => send(unique(`frozen-${i}`))));
      const elapsed = Date.now() - t0;
      expect(results.every((r) => r.statusCode === 503)).toBe(true);
      expect(results.every((r) => r.headers['retry-after'] === '5')).toBe(true);
      // Callers wait at most the produce deadline (2 s) plus scheduling; nothing queues without limit.
      expect(elapsed).toBeLessThan(30_000);
      gc?.();
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
      expect(ingress.producer.inFlight).toBeLessThanOrEqual(2000);
      expect((await ingress.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitUntilAccepting();
    // Once ready, every key is accepted again (each producer of the pool gets some of these).
    const after = await Promise.all(Array.from({ length: 50 }, (_, i) => send(unique(`thawed-${i}`))));
    expect(after.filter((r) => r.statusCode !== 202).map((r) => r.statusCode)).toEqual([]);
  }, 200_000);
});
