import type { ChildProcess } from 'node:child_process';
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { EnvReader, toKafkaMessage } from '@app/common';
import { kafkaConnectionFromEnv, createKafka } from '@app/kafka';
import { Topics } from '@app/contracts';
import { feeder, provisionPrefix, unique, waitFor } from '../support/kafka';
import { freePort, spawnApp, stopped } from '../support/processes';

/**
 * A consumer that cannot go on must not leave a live process that reads nothing. The lead agent runs
 * without the snappy codec (test-only HOOKLINE_TEST_WITHOUT_CODECS, as kafkajs is out of the box) and
 * meets a snappy batch: kafkajs's consumer crashes with a non-retriable error and does not restart.
 * /health must turn 503 with the cause, and the process must exit non-zero shortly after.
 */
describe('agent whose consumer crashed for good (real broker, real process)', () => {
  const prefix = `${unique('zombie')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let proc: ChildProcess | undefined;

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('zombie-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    proc?.kill('SIGKILL');
    if (proc) await stopped(proc);
    await producer.disconnect();
  });

  it('turns /health red with the cause and exits non-zero', async () => {
    const port = await freePort();
    proc = spawnApp('lead-agent', {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: prefix,
      HEALTH_PORT: String(port),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      HOOKLINE_TEST_WITHOUT_CODECS: 'snappy',
      FATAL_EXIT_DELAY_MS: '3000',
    });
    const exited = new Promise<number | null>((resolve) => proc?.once('exit', (code) => resolve(code)));
    const health = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: r.status, body: (await r.json()) as { status: string; error?: { code: string; message: string } } };
    };
    await waitFor(async () => (await health()).status === 200 || undefined, 60_000, 100);

    // Another service writes a snappy batch (the test's kafkajs has the codec).
    await producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      compression: CompressionTypes.Snappy,
      acks: -1,
      messages: [toKafkaMessage({ id: 'snappy-1', source: '/crm', type: 'crm.lead.created', time: new Date().toISOString(), data: { crmId: 'x', email: 'a@acme-corp.io', company: 'Acme', companySize: 50 }, extensions: {} }, 'a@acme-corp.io')],
    });

    const red = await waitFor(async () => {
      const h = await health();
      return h.status !== 200 ? h : undefined;
    }, 30_000, 100);
    expect(red.status).toBe(503);
    expect(red.body.status).toBe('failed');
    expect(red.body.error?.code).toBe('CONSUMER_CRASHED');
    expect(red.body.error?.message).toMatch(/Snappy compression not implemented/);
    expect(JSON.stringify(red.body)).not.toMatch(/\n\s+at /);

    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(1);
    console.log(`zombie: /health ${red.status} ${red.body.error?.code}; process exited with ${code}`);
  }, 180_000);
});
