import type { ChildProcess } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import { EnvReader, toKafkaMessage } from '@app/common';
import { followUpId } from '@app/agent';
import { kafkaConnectionFromEnv, createKafka } from '@app/kafka';
import { Topics } from '@app/contracts';
import { feeder, header, provisionPrefix, readUntil, unique, waitFor } from '../support/kafka';
import { freePort, spawnApp, stopped } from '../support/processes';

/**
 * SIGKILL of the lead agent while its transactions run under load, then a restart: the new process must
 * handle new events within seconds of being ready. Its fencing has to abort the killed process's open
 * transactions on BOTH transactional ids of each task (`.task-p` and `.task-p.alt`); before, the `.alt`
 * ones were only rolled back by the transaction timeout, and read_committed reads (the restore, every
 * downstream reader) waited behind them for up to a minute.
 */
const RESTART_BUDGET_MS = Number(process.env.RESTART_BUDGET_MS || 5000);
const ROUNDS = Number(process.env.RESTART_ROUNDS || 2);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lead agent restart after SIGKILL inside transactions (real broker, real process)', () => {
  const prefix = `${unique('restart')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let proc: ChildProcess | undefined;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('restart-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    proc?.kill('SIGKILL');
    if (proc) await stopped(proc);
    await producer.disconnect();
  });

  const lead = (id: string, partition: number) => ({
    ...toKafkaMessage(
      { id, source: '/webhooks/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: id, email: `${id}@acme-corp.io`, company: 'Acme', companySize: 500, title: 'Head of Ops' }, extensions: {} },
      `${id}@lead`,
    ),
    partition,
  });
  const send = (ids: string[]) => producer.send({ topic: `${prefix}${Topics.LeadsCreated}`, acks: -1, messages: ids.map((id, i) => lead(id, i % 6)) });

  async function startAgent(port: number): Promise<void> {
    proc = spawnApp('lead-agent', { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', KAFKA_TOPIC_PREFIX: prefix, HEALTH_PORT: String(port), KAFKA_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? 'warn' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200 || undefined, 90_000, 50);
  }

  /** Time from now until a follow-up of each id is visible to a read_committed reader. */
  async function timeUntilProcessed(ids: string[]): Promise<number> {
    const t0 = Date.now();
    const want = new Set(ids.map((id) => followUpId(id, 'lead.qualified')));
    await readUntil(kafka, [`${prefix}${Topics.LeadsQualified}`], (r) => [...want].every((w) => r.some((x) => header(x.message, 'ce_id') === w)), 120_000);
    return Date.now() - t0;
  }

  it(`processes new events within ${RESTART_BUDGET_MS} ms of the restarted process being ready`, async () => {
    const port = await freePort();
    await startAgent(port);
    // Warm up: every partition's task fenced, restored and committing.
    const warm = Array.from({ length: 12 }, (_, i) => `warm-${i}`);
    await send(warm);
    await timeUntilProcessed(warm);

    const figures: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Load: back-to-back transactions on every task, alternating their two ids; kill in the middle.
      let loading = true;
      let n = 0;
      const load = (async () => {
        while (loading) {
          // A rate the agent keeps up with on a small machine: what the restart leaves is the killed
          // process's open transactions, not a backlog that would hide the figure.
          await send(Array.from({ length: 12 }, () => `load-${round}-${n++}`));
          await sleep(100);
        }
      })();
      await sleep(3000);
      proc?.kill('SIGKILL');
      if (proc) await stopped(proc);
      loading = false;
      await load;

      await startAgent(port);
      const probes = Array.from({ length: 6 }, (_, p) => `probe-${round}-${p}`);
      await send(probes);
      const ms = await timeUntilProcessed(probes);
      figures.push(ms);
      console.log(`restart ${round + 1}: ${n} load events, new events on all 6 partitions processed ${ms} ms after the restarted process was ready`);
    }
    for (const ms of figures) expect(ms).toBeLessThan(RESTART_BUDGET_MS);
  }, 420_000);
});
