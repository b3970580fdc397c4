import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { Task } from '../../libs/agent/src/task';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { feeder, header, leadRecord, provisionPrefix, readUntil, testKafka, unique, waitFor } from '../support/kafka';

const N = 300;

/**
 * Tasks assigned together are fenced and restored in one pass. When the fence of one of them fails (its
 * transaction coordinator timed out, it was fenced in turn), the others must still be restored before they
 * process anything: a task that runs on empty dedup and state stores re-processes whatever it re-reads. A
 * new owner re-reads records its predecessor already committed whenever its start offsets were read before
 * the predecessor's last transactions landed (the window KIP-447 closes); here the group's offsets are
 * set back to the start so that every record is re-read, and each one must be skipped.
 */
describe('a task whose fence fails does not let the tasks restored with it skip their restore (real broker)', () => {
  const prefix = `${unique('restorefail')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let agent: INestApplication | undefined;
  const outputs = [`${prefix}leads.qualified`, `${prefix}leads.disqualified`];

  beforeAll(async () => {
    kafka = testKafka();
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    producer = await feeder(kafka);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await agent?.close();
    await producer.disconnect();
  });

  it('re-reads every committed record from offset 0 and writes no second follow-up', async () => {
    const ids = Array.from({ length: N }, (_, i) => `rf-${i}`);
    await producer.send({ topic: `${prefix}leads.created`, acks: -1, messages: ids.map((id) => leadRecord(id)) });
    agent = await startAgent('lead-agent', LeadAgentModule, prefix);
    const first = await readUntil(kafka, outputs, (r) => r.length >= N, 120_000);
    expect(first).toHaveLength(N);
    await agent.close();
    agent = undefined;

    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.resetOffsets({ groupId: `${prefix}lead-agent`, topic: `${prefix}leads.created`, earliest: true });
    } finally {
      await admin.disconnect();
    }

    // The first fence of the next instance fails (after the others of its pass were fenced); every
    // later fence is the real one.
    const realFence = Task.prototype.fenceAndMark;
    let failed: number | undefined;
    jest.spyOn(Task.prototype, 'fenceAndMark').mockImplementation(async function (this: Task) {
      if (failed === undefined) {
        failed = this.partition;
        await new Promise((r) => setTimeout(r, 1000));
        throw new Error('injected: the fence of this task failed');
      }
      return realFence.call(this);
    });
    agent = await startAgent('lead-agent', LeadAgentModule, prefix);
    const sentinel = unique('sentinel');
    await producer.send({ topic: `${prefix}leads.created`, acks: -1, messages: [leadRecord(sentinel)] });
    const all = await readUntil(kafka, outputs, (r) => r.some((x) => header(x.message, 'ce_causationid') === sentinel), 120_000);
    // Read on briefly: the group's offsets are past every input only once each task took its records.
    await waitFor(async () => {
      const admin2 = kafka.admin();
      await admin2.connect();
      try {
        const [committed] = await admin2.fetchOffsets({ groupId: `${prefix}lead-agent`, topics: [`${prefix}leads.created`] });
        return committed.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) >= N + 1 || undefined;
      } finally {
        await admin2.disconnect();
      }
    }, 60_000, 250);
    const settled = await readUntil(kafka, outputs, (r) => r.length > all.length, 3000);
    // One record per offset: the reader's own re-fetches are not second follow-ups.
    const records = [...new Map((settled.length > all.length ? settled : all).map((x) => [`${x.topic}/${x.partition}/${x.message.offset}`, x])).values()];
    const count = new Map<string, number>();
    for (const x of records) {
      const id = header(x.message, 'ce_causationid') ?? '';
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    expect(failed).toBeDefined();
    expect([...count].filter(([, n]) => n !== 1)).toEqual([]);
    expect(records).toHaveLength(N + 1);
    console.log(`restore failure: fence of task ${failed} failed once; ${N} committed records re-read from offset 0, ${records.length - N - 1} second follow-ups`);
  }, 300_000);
});
