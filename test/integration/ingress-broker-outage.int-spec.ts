import { readUntil, unique, waitFor } from '../support/kafka';
import { signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { EnvReader } from '@app/common';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as {
  start(o: { port: number }): Promise<unknown>;
  stop(o: { port: number }): Promise<unknown>;
  wipe(o: { port: number }): void;
};

/**
 * Runs on a broker of its own (native, the test broker's port + 100: 19192 by default) because it stops
 * and restarts it; the shared test broker keeps serving the other suites. Derived from TEST_KAFKA_PORT so
 * that two runs on one machine with different test ports never share (and stop) each other's broker.
 */
const PORT = Number(process.env.TEST_OUTAGE_KAFKA_PORT || Number(process.env.TEST_KAFKA_PORT || 19092) + 100);
const BROKERS = `127.0.0.1:${PORT}`;

describe('ingress while the broker is down', () => {
  let ingress: RunningIngress;

  beforeAll(async () => {
    await native.start({ port: PORT });
    ingress = await startIngress({ brokers: BROKERS, deadlineMs: 1500, quiet: true });
  });
  afterAll(async () => {
    await ingress?.close();
    await native.stop({ port: PORT });
    native.wipe({ port: PORT });
  });

  const send = (n: string) => {
    const body = Buffer.from(JSON.stringify({ id: n, type: 'lead.created', data: { id: n, email: `${n}@example.com` } }));
    return ingress.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: signed('crm', body) });
  };

  /** Sends fresh webhooks until one is accepted or a minute has passed; returns the last answer. */
  const sendUntilAccepted = async (label: string) => {
    const deadline = Date.now() + 60_000;
    let res = await send(unique(label));
    while (res.statusCode !== 202 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      res = await send(unique(label));
    }
    return res;
  };

  it('answers 503 with Retry-After while Kafka is down, reports not ready, and recovers by itself', async () => {
    // A broker just started may be slow to take its first writes: wait until it does, then break it.
    expect((await sendUntilAccepted('before')).statusCode).toBe(202);
    await native.stop({ port: PORT });

    const during = await send(unique('during'));
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.json<{ error: { code: string } }>().error.code).toBe('KAFKA_UNAVAILABLE');
    expect((await ingress.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);

    await native.start({ port: PORT });
    const after = await sendUntilAccepted('after');
    expect(after.statusCode).toBe(202);
    // Every producer of the pool reconnects on its own backoff; readiness follows without a restart.
    const ready = async () => (await ingress.app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200;
    await waitFor(ready, 60_000, 250);

    // Every 202 is on the topic: the last accepted id must be readable.
    const acceptedId = after.json<{ id: string }>().id;
    const kafka = createKafka(kafkaConnectionFromEnv('outage-reader', new EnvReader({ KAFKA_BROKERS: BROKERS })));
    const recs = await readUntil(kafka, [`${ingress.prefix}leads.created`], (r) => r.some((x) => String(x.message.headers?.ce_id) === acceptedId));
    expect(recs.some((x) => String(x.message.headers?.ce_id) === acceptedId)).toBe(true);
  }, 300_000);
});
