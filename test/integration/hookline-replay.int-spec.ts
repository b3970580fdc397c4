import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { AgentContext, ReplayReport } from '@app/agent';
import { EnvReader } from '@app/common';
import { agentTopics, Topics, type Lead } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv, readToEnd } from '@app/kafka';
import { startAgent } from '../support/agents';
import { hookline, type Run } from '../support/hookline';
import { feeder, leadRecord, header, provisionPrefix, unique, waitFor } from '../support/kafka';

/**
 * `hookline replay` as an operator runs it (the built CLI as a process) against a real broker and two
 * agents reading leads.created: the replay feeds one agent only, which skips what its dedup window saw and
 * processes what it never saw, exactly once; a shadow replay is processed by a shadow instance whose
 * outputs land under the shadow prefix only.
 */
const AGENT = 'replay-agent';
const BYSTANDER = 'bystander-agent';

const calls: Record<string, string[]> = { [AGENT]: [], [BYSTANDER]: [] };

@Controller()
class ReplayController {
  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    calls[AGENT].push(ctx.event.id);
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: lead.crmId, score: 0, reasons: ['replayed'] });
  }
}
@Module({ controllers: [ReplayController] })
class ReplayModule {}

@Controller()
class BystanderController {
  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() _lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    calls[BYSTANDER].push(ctx.event.id);
  }
}
@Module({ controllers: [BystanderController] })
class BystanderModule {}

/** End offsets of topics, "topic/partition" → offset. */
async function endOffsets(admin: Admin, topics: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of topics) for (const o of await admin.fetchTopicOffsets(t)) out[`${t}/${o.partition}`] = o.high;
  return out;
}

describe('hookline replay (real broker, built CLI as a process)', () => {
  const prefix = `${unique('replay')}.`;
  const email = (i: number, tag: string) => `${tag}-${i}@acme-corp.io`;
  const old = Array.from({ length: 4 }, (_, i) => `${unique('old')}-${i}`);
  const fresh = Array.from({ length: 3 }, (_, i) => `${unique('new')}-${i}`);
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let env: Record<string, string>;
  const apps: INestApplication[] = [];
  const shown: string[] = [];
  const show = (title: string, r: Run) => shown.push(`$ hookline ${title}  (exit ${r.code})`, r.stdout.trimEnd(), r.stderr.trimEnd());

  const send = (ids: string[], tag: string) =>
    producer.send({
      topic: `${prefix}${Topics.LeadsCreated}`,
      acks: -1,
      messages: ids.map((id, i) =>
        leadRecord(id, email(i, tag)),
      ),
    });
  /** The causation ids of every follow-up on <topicPrefix>leads.disqualified, read to its end (read_committed). */
  const followUps = async (topicPrefix: string): Promise<(string | undefined)[]> => {
    const out: (string | undefined)[] = [];
    await readToEnd(kafka, [`${topicPrefix}${Topics.LeadsDisqualified}`], (_t, _p, m) => out.push(header(m, 'ce_causationid')), { deadlineMs: 30_000, groupId: unique('followups') });
    return out.sort();
  };
  const atLeast = (topicPrefix: string, n: number) => waitFor(async () => ((await followUps(topicPrefix)).length >= n ? true : undefined), 60_000, 250);
  /** Waits until the agent's group has consumed its retry topic to the end (what a replay wrote is read). */
  const consumedRetry = (group: string, retryTopic: string) =>
    waitFor(async () => {
      const ends = await endOffsets(admin, [retryTopic]);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [retryTopic] });
      return committed.partitions.every((p) => (ends[`${retryTopic}/${p.partition}`] === '0' && p.offset === '-1') || p.offset === ends[`${retryTopic}/${p.partition}`]) || undefined;
    }, 60_000, 250);

  beforeAll(async () => {
    env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS as string, KAFKA_TOPIC_PREFIX: prefix };
    kafka = createKafka(kafkaConnectionFromEnv('replay-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    admin = kafka.admin();
    await admin.connect();
    await provisionPrefix(kafka, prefix, [AGENT, BYSTANDER]);
    producer = await feeder(kafka);
    // Leads from before the replay agent existed: its group starts at the end of leads.created, so it never saw them.
    await send(old, 'old');
    const inputs = `${prefix}${Topics.LeadsCreated}`;
    const ends = await admin.fetchTopicOffsets(inputs);
    await admin.setOffsets({ groupId: `${prefix}${AGENT}`, topic: inputs, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
    apps.push(await startAgent(AGENT, ReplayModule, prefix), await startAgent(BYSTANDER, BystanderModule, prefix));
    await send(fresh, 'new');
    await waitFor(() => (calls[BYSTANDER].length >= old.length + fresh.length && calls[AGENT].length >= fresh.length) || undefined, 60_000);
    await atLeast(prefix, fresh.length);
    expect(await followUps(prefix)).toEqual([...fresh].sort());
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await producer?.disconnect();
    await admin?.disconnect();
    console.log(shown.join('\n'));
  });

  it('feeds the range to one agent: what it never saw is processed once, what it saw is skipped, other agents see nothing', async () => {
    const bystanderBefore = [...calls[BYSTANDER]];
    const r = await hookline(['replay', Topics.LeadsCreated, '--since', '10m', '--into', AGENT], env);
    show(`replay ${Topics.LeadsCreated} --since 10m --into ${AGENT}`, r);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^7 records of leads\\.created from \\S+ to its end replayed into ${AGENT} through ${prefix.replace(/\./g, '\\.')}${AGENT}\\.retry$`, 'm'));
    await consumedRetry(`${prefix}${AGENT}`, `${prefix}${agentTopics(AGENT).retry.name}`);
    // Consumed and committed: everything it wrote is readable now. The old leads ran once; the fresh ones (already in the dedup window) were skipped.
    expect(await followUps(prefix)).toEqual([...old, ...fresh].sort());
    expect([...calls[AGENT]].sort()).toEqual([...old, ...fresh].sort());
    expect(calls[BYSTANDER]).toEqual(bystanderBefore);

    // The same range again: everything is in the dedup window now.
    const again = await hookline(['replay', Topics.LeadsCreated, '--since', '10m', '--into', AGENT, '--json'], env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ReplayReport).replayed).toBe(7);
    await consumedRetry(`${prefix}${AGENT}`, `${prefix}${agentTopics(AGENT).retry.name}`);
    expect(await followUps(prefix)).toHaveLength(old.length + fresh.length);
    expect(calls[AGENT]).toHaveLength(old.length + fresh.length);
    expect(calls[BYSTANDER]).toEqual(bystanderBefore);
  }, 180_000);

  it('narrows by key and time, and counts without writing on --dry-run', async () => {
    const retry = `${prefix}${agentTopics(AGENT).retry.name}`;
    const before = await endOffsets(admin, [retry]);
    const byKey = await hookline(['replay', Topics.LeadsCreated, '--since', '1h', '--key', email(2, 'old'), '--into', AGENT, '--dry-run', '--json'], env);
    expect(byKey.code).toBe(0);
    const report = JSON.parse(byKey.stdout) as ReplayReport;
    expect([report.replayed, report.read, report.dryRun]).toEqual([1, 7, true]);
    const future = await hookline(['replay', Topics.LeadsCreated, '--since', '1h', '--until', '30m', '--into', AGENT], env);
    show(`replay ${Topics.LeadsCreated} --since 1h --until 30m --into ${AGENT}`, future);
    expect([future.code, future.stdout]).toEqual([1, '']);
    expect(future.stderr).toMatch(/nothing to replay: no record of leads\.created between \S+ and \S+/);
    expect(await endOffsets(admin, [retry])).toEqual(before);
  }, 120_000);

  it('with --shadow, a shadow instance processes the range and writes under the shadow prefix only', async () => {
    const real = (await admin.listTopics()).filter((t) => t.startsWith(prefix) && !t.startsWith(`${prefix}shadow.`));
    const realBefore = await endOffsets(admin, real);
    const r = await hookline(['replay', Topics.LeadsCreated, '--since', '10m', '--into', AGENT, '--shadow'], env);
    show(`replay ${Topics.LeadsCreated} --since 10m --into ${AGENT} --shadow`, r);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`into the shadow of ${AGENT} (prefix shadow.) through ${prefix}shadow.${AGENT}.retry`);
    apps.push(await startAgent(AGENT, ReplayModule, prefix, { shadowPrefix: 'shadow.' }));
    await consumedRetry(`${prefix}shadow.${AGENT}`, `${prefix}shadow.${agentTopics(AGENT).retry.name}`);
    expect(await followUps(`${prefix}shadow.`)).toEqual([...old, ...fresh].sort());
    // Nothing under the real prefix moved: no follow-up, no retry record, no processed id, no state.
    expect(await endOffsets(admin, real)).toEqual(realBefore);
    const shadowTopics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}shadow.`));
    expect(shadowTopics).toEqual(expect.arrayContaining([`${prefix}shadow.${Topics.LeadsDisqualified}`, `${prefix}shadow.${AGENT}.processed`]));
  }, 180_000);

  it.each([
    ['an unknown agent', ['replay', Topics.LeadsCreated, '--since', '1h', '--into', 'no-such-agent'], 1, /unknown agent no-such-agent: no no-such-agent\.retry under KAFKA_TOPIC_PREFIX/],
    ['a bad duration', ['replay', Topics.LeadsCreated, '--since', '5x', '--into', AGENT], 2, /--since must be a duration back from now \(90s, 15m, 2h, 7d\) or a time/],
    ['an unknown topic', ['replay', 'no.such.topic', '--since', '1h', '--into', AGENT], 2, /unknown topic "no\.such\.topic"/],
    ['--until before --since', ['replay', Topics.LeadsCreated, '--since', '1h', '--until', '2h', '--into', AGENT], 2, /--until .* must be after --since/],
  ])('refuses %s with a clear error', async (_what, args, code, message) => {
    const r = await hookline(args, env);
    expect([r.code, r.stdout]).toEqual([code, '']);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
