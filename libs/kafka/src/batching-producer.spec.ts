import { CompressionTypes, type Kafka, type ProducerBatch } from 'kafkajs';
import { AppError, JsonLogger } from '@app/common';
import { BatchingProducer, DEFAULT_BATCHING } from './batching-producer';

/** A kafkajs stand-in whose produce requests are recorded and acknowledged when the test says so. */
function fakeKafka() {
  const requests: { batch: ProducerBatch; ack: () => void }[] = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: (batch: ProducerBatch) => new Promise<void>((resolve) => requests.push({ batch, ack: resolve })),
    }),
  } as unknown as Kafka;
  return { kafka, requests };
}

const records = (batch: ProducerBatch) => (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
const turn = () => new Promise((resolve) => setImmediate(resolve));
/** The producer's own lists of records: queued, and in the produce request in flight. */
type Held = Record<'queue' | 'inFlightBatch', { settled: boolean; record: { message: { value: unknown } } }[]>;

describe('BatchingProducer', () => {
  const logger = new JsonLogger('test', 'error', () => undefined);

  it('sends the records of one event-loop turn in one produce request, the next ones in the next', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, DEFAULT_BATCHING);
    await producer.connect();
    const first = Array.from({ length: 10 }, (_, i) => producer.send({ topic: 't', message: { key: 'k', value: `a${i}` } }));
    await turn();
    expect(requests).toHaveLength(1);
    expect(records(requests[0].batch)).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    expect(requests[0].batch.acks).toBe(-1);
    expect(requests[0].batch.compression).toBe(CompressionTypes.None);

    // Sent while that request is in flight: queued, and the next request once it is acknowledged.
    const second = [producer.send({ topic: 't', message: { key: 'k', value: 'b0' } }), producer.send({ topic: 'u', message: { key: 'k', value: 'b1' } })];
    await turn();
    expect(requests).toHaveLength(1);
    requests[0].ack();
    await Promise.all(first);
    await turn();
    expect(requests).toHaveLength(2);
    expect(records(requests[1].batch)).toEqual(['b0', 'b1']);
    requests[1].ack();
    await Promise.all(second);
    expect(producer.inFlight).toBe(0);
  });

  it('compresses its produce requests with the codec it was given', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, { ...DEFAULT_BATCHING, compression: CompressionTypes.ZSTD });
    await producer.connect();
    const sent = producer.send({ topic: 't', message: { key: 'k', value: 'v' } });
    await turn();
    expect(requests[0].batch.compression).toBe(CompressionTypes.ZSTD);
    requests[0].ack();
    await sent;
  });

  it('still answers KAFKA_UNAVAILABLE when the acknowledgement does not come within the deadline', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, { ...DEFAULT_BATCHING, deadlineMs: 50 });
    await producer.connect();
    const sent = producer.send({ topic: 't', message: { key: 'k', value: 'x' } });
    await expect(sent).rejects.toEqual(new AppError('KAFKA_UNAVAILABLE'));
    expect(requests).toHaveLength(1);
    expect(producer.connected).toBe(false); // the request in flight is older than the deadline: stalled
    requests[0].ack();
    await turn();
    expect(producer.connected).toBe(true);
  });

  it('answers each caller at its own deadline: one queued behind a stuck request is withdrawn and never written', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, { ...DEFAULT_BATCHING, deadlineMs: 60 });
    await producer.connect();
    const t0 = Date.now();
    const stuck = producer.send({ topic: 't', message: { key: 'k', value: 'in-flight' } });
    const stuckAt = stuck.then(
      () => 'resolved',
      () => Date.now() - t0,
    );
    await new Promise((r) => setTimeout(r, 30));
    const queued = producer.send({ topic: 't', message: { key: 'k', value: 'queued' } });
    const queuedAt = queued.then(
      () => 'resolved',
      () => Date.now() - t0,
    );
    const first = await stuckAt;
    expect(first).toBeGreaterThanOrEqual(55);
    expect(first).toBeLessThan(85); // not held until the second caller's deadline
    const second = await queuedAt;
    expect(second).toBeGreaterThanOrEqual(85);
    expect(producer.inFlight).toBe(1); // the record in flight still counts until its request ends
    requests[0].ack();
    await turn();
    await turn();
    expect(requests).toHaveLength(1); // the withdrawn record never reached a produce request
    expect(producer.inFlight).toBe(0);
  });

  it('never fails a caller it already answered, and keeps no answered record', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, { ...DEFAULT_BATCHING, deadlineMs: 40 });
    await producer.connect();
    for (let round = 0; round < 3; round++) {
      const sent = Array.from({ length: 5 }, (_, i) => producer.send({ topic: 't', message: { key: 'k', value: `${round}-${i}` } }));
      await turn();
      requests[round].ack();
      await expect(Promise.all(sent)).resolves.toBeDefined();
    }
    await new Promise((r) => setTimeout(r, 80)); // past every deadline: nothing is rejected late
    const internals = producer as unknown as Held & { deadlineTimer?: unknown };
    expect([...internals.queue, ...internals.inFlightBatch]).toHaveLength(0);
    expect(internals.deadlineTimer).toBeUndefined();
    expect(producer.inFlight).toBe(0);
    expect(producer.connected).toBe(true);
  });

  it('keeps nothing of an answered record while later ones still wait', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new BatchingProducer(kafka, logger, DEFAULT_BATCHING);
    await producer.connect();
    const first = Array.from({ length: 10 }, (_, i) => producer.send({ topic: 't', message: { key: 'k', value: Buffer.alloc(1000, i) } }));
    await turn();
    const second = Array.from({ length: 10 }, (_, i) => producer.send({ topic: 't', message: { key: 'k', value: Buffer.alloc(1000, 10 + i) } }));
    requests[0].ack();
    await Promise.all(first);
    // What the producer holds: the ten still waiting, and nothing (no payload) of the ten answered.
    const internals = producer as unknown as Held;
    const held = [...internals.queue, ...internals.inFlightBatch];
    expect(held.filter((p) => p.settled)).toHaveLength(0);
    expect(held).toHaveLength(10);
    for (const p of held) expect((p.record.message.value as Buffer)[0]).toBeGreaterThanOrEqual(10);
    await turn();
    requests[1].ack();
    await Promise.all(second);
  });
});
