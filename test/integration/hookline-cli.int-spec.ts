import type { Kafka, Producer } from 'kafkajs';
import { EnvReader, toKafkaMessage, type CloudEvent } from '@app/common';
import { agentTopics, topicSpecs, Topics } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { hookline, type Run } from '../support/hookline';
import { freePort } from '../support/processes';
import { feeder, provisionPrefix, unique } from '../support/kafka';

/**
 * The `hookline` CLI as an operator runs it: the compiled dist/tools/hookline/cli.js as a process, with
 * KAFKA_BROKERS and KAFKA_TOPIC_PREFIX, against a real broker holding a small causal chain of CloudEvents
 * (an input, two follow-ups, one follow-up of a follow-up) and one dead-lettered record.
 */
const AGENT = 'cli-agent';

describe('hookline CLI (real broker, built CLI as a process)', () => {
  const prefix = `${unique('cli')}.`;
  const tag = unique('lead');
  const ids = {
    input: `${tag}`,
    qualified: `${tag}/qualify`,
    welcome: `${tag}/welcome-email`,
    ownerNote: `${tag}/qualify/owner-note`,
    dead: `${unique('lead')}-bad`,
  };
  const deliveryId = `dlv-${tag}`;
  const email = `${tag}@acme-corp.io`;
  let kafka: Kafka;
  let producer: Producer;
  let env: Record<string, string>;
  const shown: string[] = [];

  const event = (id: string, type: string, atMs: number, data: unknown, extensions: Record<string, string> = {}): CloudEvent => ({
    id,
    type,
    source: type.startsWith('crm.') ? '/webhooks/crm' : '/agents/lead-agent',
    time: new Date(atMs).toISOString(),
    subject: email,
    data,
    extensions,
  });

  beforeAll(async () => {
    env = { KAFKA_BROKERS: process.env.KAFKA_BROKERS as string, KAFKA_TOPIC_PREFIX: prefix };
    kafka = createKafka(kafkaConnectionFromEnv('hookline-cli-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, [AGENT]);
    producer = await feeder(kafka);
    const t0 = Date.parse('2026-03-02T09:15:00.000Z');
    const send = (topic: string, e: CloudEvent) => producer.send({ topic: `${prefix}${topic}`, acks: -1, messages: [toKafkaMessage(e, email)] });
    // The chain: a lead, two follow-ups caused by it, and one follow-up of the first follow-up.
    await send(Topics.LeadsCreated, event(ids.input, 'crm.lead.created', t0, { crmId: 'crm-4711', email, company: 'Acme Corp' }, { deliveryid: deliveryId }));
    await send(Topics.LeadsQualified, event(ids.qualified, 'lead.qualified', t0 + 184, { email, crmId: 'crm-4711', score: 80, owner: 'ana@hookline.dev' }, { causationid: ids.input }));
    await send(Topics.EmailsRequested, event(ids.welcome, 'email.requested', t0 + 191, { template: 'welcome', to: email }, { causationid: ids.input }));
    await send(Topics.EmailsRequested, event(ids.ownerNote, 'email.requested', t0 + 422, { template: 'owner-note', to: 'ana@hookline.dev' }, { causationid: ids.qualified }));
    // A record the agent gave up on, as the runtime writes it to <agent>.dlq: the original record with dlq_ and retry headers.
    const dead = toKafkaMessage(
      { ...event(ids.dead, 'crm.lead.created', t0 + 1000, { crmId: 'crm-4712', email: 'bad@acme-corp.io' }), subject: 'bad@acme-corp.io' },
      'bad@acme-corp.io',
    );
    const history = [1, 2, 3].map((attempt) => ({ attempt, at: new Date(t0 + 1000 + attempt * 400).toISOString(), error: 'roster service answered 503' }));
    await producer.send({
      topic: `${prefix}${agentTopics(AGENT).deadLetter.name}`,
      acks: -1,
      messages: [
        {
          ...dead,
          headers: {
            ...dead.headers,
            retry_attempts: '3',
            retry_topic: Topics.LeadsCreated,
            retry_history: JSON.stringify(history),
            dlq_agent: AGENT,
            dlq_reason: 'retries exhausted',
            dlq_attempts: '3',
            dlq_topic: Topics.LeadsCreated,
            dlq_partition: '2',
            dlq_offset: '17',
            dlq_time: new Date(t0 + 2300).toISOString(),
            dlq_error: 'roster service answered 503',
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await producer?.disconnect();
    // What the CLI printed, for the README's "Operating hookline" section.
    console.log(shown.join('\n'));
  });

  const show = (title: string, r: Run) => shown.push(`$ hookline ${title}  (exit ${r.code})`, r.stdout.trimEnd(), r.stderr.trimEnd());

  it('events trace prints the whole causal tree, found by event id or by delivery id', async () => {
    const r = await hookline(['events', 'trace', ids.input], env);
    show(`events trace ${ids.input}`, r);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    // Every registry topic and the agent's dead-letter topic.
    const topicsRead = topicSpecs().length + 1;
    expect(lines[0]).toBe(`trace ${ids.input}: 4 events, 4 records (${topicsRead} topics read)`);
    expect(lines[1]).toMatch(new RegExp(`^${ids.input}  crm\\.lead\\.created  leads\\.created \\d/0  2026-03-02T09:15:00\\.000Z$`));
    expect(lines[2]).toMatch(new RegExp(`^├─ ${ids.qualified}  lead\\.qualified  leads\\.qualified \\d/0  2026-03-02T09:15:00\\.184Z  \\+184 ms$`));
    expect(lines[3]).toMatch(new RegExp(`^│  └─ ${ids.ownerNote}  email\\.requested  emails\\.requested \\d/\\d  2026-03-02T09:15:00\\.422Z  \\+238 ms$`));
    expect(lines[4]).toMatch(new RegExp(`^└─ ${ids.welcome}  email\\.requested  emails\\.requested \\d/\\d  2026-03-02T09:15:00\\.191Z  \\+191 ms$`));
    expect(lines).toHaveLength(5);

    const byDelivery = await hookline(['events', 'trace', deliveryId, '--json'], env);
    expect(byDelivery.code).toBe(0);
    const tree = JSON.parse(byDelivery.stdout) as { complete: boolean; roots: { id: string; children: { id: string; delayMs: number; children: { id: string }[] }[] }[] };
    expect(tree.complete).toBe(true);
    expect(tree.roots.map((n) => n.id)).toEqual([ids.input]);
    expect(tree.roots[0].children.map((c) => [c.id, c.delayMs, c.children.map((g) => g.id)])).toEqual([
      [ids.qualified, 184, [ids.ownerNote]],
      [ids.welcome, 191, []],
    ]);
  });

  it('events trace of an unknown id exits 1', async () => {
    const r = await hookline(['events', 'trace', 'no-such-id'], env);
    show('events trace no-such-id', r);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`no event with ce_id or ce_deliveryid "no-such-id" in ${topicSpecs().length + 1} topics`);
  });

  it('events tail --from-beginning --max 4 --json prints 4 JSON lines', async () => {
    const r = await hookline(['events', 'tail', Topics.LeadsCreated, Topics.LeadsQualified, Topics.EmailsRequested, '--from-beginning', '--max', '4', '--json'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const events = lines.map((l) => JSON.parse(l) as { id: string; topic: string; partition: number; offset: string; key: string; data: unknown });
    for (const e of events) {
      expect([ids.input, ids.qualified, ids.welcome, ids.ownerNote]).toContain(e.id);
      expect(e.key).toBe(email);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(4);

    const text = await hookline(['events', 'tail', Topics.LeadsQualified, Topics.EmailsRequested, '--from-beginning', '--max', '3', '--type', 'email.requested', '--timeout', '8'], env);
    show(`events tail ${Topics.LeadsQualified} ${Topics.EmailsRequested} --from-beginning --max 3 --type email.requested --timeout 8`, text);
    // Only two email.requested events exist: the timeout ends it with fewer than --max, exit 1.
    expect(text.code).toBe(1);
    expect(text.stdout.trimEnd().split('\n').map((l) => l.split('  ')[2])).toEqual(['email.requested', 'email.requested']);
    expect(text.stderr).toContain('2 events within 8 s (--max 3)');
  });

  it('dlq list, show and redrive --dry-run read the dead-lettered record', async () => {
    const list = await hookline(['dlq', 'list', AGENT], env);
    show(`dlq list ${AGENT}`, list);
    expect(list.code).toBe(0);
    const [header, row, ...more] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +TIME +REASON +ATTEMPTS +TOPIC +PARTITION\/OFFSET +ERROR$/);
    expect(row).toMatch(new RegExp(`^${ids.dead} +2026-03-02T09:15:02\\.300Z +retries exhausted +3 +leads\\.created +\\d/0 +roster service answered 503$`));
    expect(more).toEqual([]);

    const one = await hookline(['dlq', 'show', AGENT, ids.dead], env);
    show(`dlq show ${AGENT} ${ids.dead}`, one);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('    attempt 3 at 2026-03-02T09:15:02.200Z: roster service answered 503');
    expect(one.stdout).toContain('key: bad@acme-corp.io');

    const dry = await hookline(['dlq', 'redrive', AGENT, '--id', ids.dead, 'no-such-id', '--dry-run'], env);
    show(`dlq redrive ${AGENT} --id ${ids.dead} no-such-id --dry-run`, dry);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`would redrive ${ids.dead} (redrive 1) to ${AGENT}.retry`);
    expect(dry.stdout).toContain(`not found: no-such-id is not on ${AGENT}.dlq`);

    const unknown = await hookline(['dlq', 'list', 'no-such-agent'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`agents with one: ${AGENT}`);
  });

  it('exits 3 naming KAFKA_BROKERS when no broker answers', async () => {
    const r = await hookline(['dlq', 'list', AGENT], { ...env, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    show('dlq list cli-agent  (KAFKA_BROKERS pointing at a closed port)', r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hookline: cannot reach Kafka at 127\.0\.0\.1:\d+ \(KAFKA_BROKERS\): /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
