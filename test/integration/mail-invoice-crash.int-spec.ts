import type { ChildProcess } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import { effectKey, followUpId } from '@app/agent';
import { EnvReader, toKafkaMessage } from '@app/common';
import { Topics } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { MESSAGE_ID_DOMAIN } from '../../apps/mailer/src/send-email';
import { feeder, header, provisionPrefix, readSettled, readUntil, unique, waitFor } from '../support/kafka';
import { TestMailpit } from '../support/mailpit';
import { freePort, spawnApp, stopped } from '../support/processes';

/**
 * The effects at the end of the flows, against the real servers: leads go through the lead agent to the
 * mailer, which sends welcome emails over SMTP to Mailpit; invoice requests (as the fulfillment agent
 * publishes them for shipped orders) go to the invoicer, which raises invoices in the billing simulator.
 * Mailer and invoicer are SIGKILLed and restarted while the flow runs; Mailpit refuses a share of
 * recipients with 451 (retried) and one domain with 550 (emails.failed).
 *
 * Invoices: the billing API honours the idempotency key, so 0 missing and 0 duplicated. Emails: 0 missing;
 * SMTP has no idempotency key, so a kill after the server accepted a message and before the commit sends
 * it again with the same Message-ID: counted and printed, not hidden.
 */
const LEADS = Number(process.env.EFFECTS_TEST_LEADS || 90);
const INVOICES = Number(process.env.EFFECTS_TEST_INVOICES || 60);
const ROUNDS = Number(process.env.EFFECTS_TEST_KILLS || 2);
const port = async (name: string) => Number(process.env[name] || (await freePort()));

describe('mailer and invoicer under SIGKILL (real broker, Mailpit, billing simulator)', () => {
  const prefix = `${unique('effects-crash')}.`;
  let kafka: Kafka;
  let producer: Producer;
  let mailpit: TestMailpit;
  let billingUrl: string;
  const procs = new Map<string, ChildProcess>();
  let agentEnv: Record<string, string>;

  const start = (app: string, env: Record<string, string> = {}) => {
    procs.set(app, spawnApp(app, { ...agentEnv, ...env }));
  };
  const restartable = () => ({
    mailer: { SMTP_URL: mailpit.smtpUrl, SMTP_TIMEOUT_MS: '5000' },
    invoicer: { BILLING_URL: billingUrl },
  });

  beforeAll(async () => {
    kafka = createKafka(kafkaConnectionFromEnv('effects-crash-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent', 'mailer', 'invoicer']);
    producer = await feeder(kafka);
    // 15% of recipients get a temporary 451 (retried through the retry topic); @bounce.test gets 550.
    mailpit = await TestMailpit.start(await port('TEST_MAILPIT_SMTP_PORT'), await port('TEST_MAILPIT_HTTP_PORT'), [
      '--smtp-allowed-recipients',
      '@acme-corp\\.io$',
      '--chaos-triggers',
      'Recipient:451:15',
    ]);
    const billingPort = await port('TEST_BILLING_PORT');
    billingUrl = `http://127.0.0.1:${billingPort}`;
    agentEnv = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: prefix,
      HEALTH_PORT: '0',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      RETRY_INITIAL_MS: '50',
      RETRY_MAX_MS: '300',
      RETRY_MAX_ATTEMPTS: '10',
    };
    start('billing-simulator', { PORT: String(billingPort), HOST: '127.0.0.1' });
    await waitFor(async () => (await fetch(`${billingUrl}/health`)).ok, 60_000, 250);
    start('lead-agent');
    start('mailer', restartable().mailer);
    start('invoicer', restartable().invoicer);
  }, 600_000);

  afterAll(async () => {
    for (const p of procs.values()) p.kill('SIGKILL');
    await Promise.all([...procs.values()].map(stopped));
    await producer?.disconnect();
    await mailpit?.stop();
  });

  it('sends one welcome email per qualified lead and raises one invoice per order while both agents are killed', async () => {
    const leadIds = Array.from({ length: LEADS }, (_, i) => `${prefix}lead-${i}`);
    // Every third lead is free-mail: disqualified, no email.
    const qualified = leadIds.filter((_, i) => i % 3 !== 0);
    const orderIds = Array.from({ length: INVOICES }, (_, i) => `${prefix}order-${i}`);
    const leadRecord = (id: string, i: number) =>
      toKafkaMessage(
        {
          id,
          source: '/webhooks/crm',
          type: 'crm.lead.created',
          time: new Date().toISOString(),
          data: { crmId: id, email: i % 3 === 0 ? `lead${i}@gmail.com` : `lead${i}.${prefix.slice(0, -1)}@acme-corp.io`, company: 'Acme', companySize: 500, title: 'Head of Ops', firstName: `Lead${i}` },
          extensions: {},
        },
        `lead-${i}`,
      );
    const invoiceRecord = (orderId: string, i: number) =>
      toKafkaMessage(
        {
          id: `${orderId}/invoice`,
          source: '/agents/fulfillment-agent',
          type: 'invoice.requested',
          time: new Date().toISOString(),
          data: { orderId, lines: [{ sku: `SKU-${i}`, title: 'Mug', quantity: 1 + (i % 3), unitPrice: '9.99' }], total: (9.99 * (1 + (i % 3))).toFixed(2), currency: 'EUR', customer: { email: `c${i}@acme-corp.io` } },
          extensions: {},
        },
        orderId,
      );

    const slices = Math.max(4, ROUNDS * 2);
    const perLead = Math.ceil(LEADS / slices);
    const perOrder = Math.ceil(INVOICES / slices);
    let kills = 0;
    for (let s = 0; s < slices; s++) {
      await producer.send({ topic: `${prefix}${Topics.LeadsCreated}`, acks: -1, messages: leadIds.slice(s * perLead, (s + 1) * perLead).map((id) => leadRecord(id, leadIds.indexOf(id))) });
      await producer.send({ topic: `${prefix}${Topics.InvoicesRequested}`, acks: -1, messages: orderIds.slice(s * perOrder, (s + 1) * perOrder).map((id) => invoiceRecord(id, orderIds.indexOf(id))) });
      if (s % 2 === 1 && kills < ROUNDS) {
        // Kill both at once (each has its own group) while the mailer is sending this slice: as soon as
        // the inbox grows, so some messages are likely accepted by the server but not yet committed.
        const before = await mailpit.total();
        await waitFor(async () => (await mailpit.total()) > before || undefined, 5000, 20).catch(() => undefined);
        const victims = ['mailer', 'invoicer'] as const;
        for (const v of victims) procs.get(v)?.kill('SIGKILL');
        await Promise.all(victims.map((v) => stopped(procs.get(v) as ChildProcess)));
        kills++;
        for (const v of victims) start(v, restartable()[v]);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(kills).toBe(ROUNDS);
    // One request the SMTP server refuses for good.
    const bounceId = `${prefix}bounce`;
    await producer.send({
      topic: `${prefix}${Topics.EmailsRequested}`,
      acks: -1,
      messages: [
        toKafkaMessage(
          { id: bounceId, source: '/test', type: 'email.requested', time: new Date().toISOString(), data: { template: 'welcome', to: 'nobody@bounce.test', variables: { ownerName: 'Bo', ownerEmail: 'bo@hookline.dev' } }, extensions: {} },
          'nobody@bounce.test',
        ),
      ],
    });

    // The inbox, read through Mailpit's API: every expected Message-ID, then a moment for late copies.
    const messageIdOf = (leadId: string) => `${effectKey(followUpId(leadId, 'welcome-email'), 'smtp-send')}@${MESSAGE_ID_DOMAIN}`;
    const expectedMessageIds = new Set(qualified.map(messageIdOf));
    await waitFor(async () => {
      const inbox = await mailpit.messages();
      const have = new Set(inbox.map((m) => m.MessageID));
      return [...expectedMessageIds].every((id) => have.has(id)) || undefined;
    }, 240_000, 500);
    const invoices = await waitFor(async () => {
      const list = (await (await fetch(`${billingUrl}/v1/invoices`)).json()) as { data: { reference?: string; idempotencyKey: string }[] };
      const refs = new Set(list.data.map((i) => i.reference));
      return orderIds.every((o) => refs.has(o)) ? list.data : undefined;
    }, 240_000, 500);

    // Kafka side: one emails.sent per qualified lead, one emails.failed for the bounce, one invoices.created per order.
    const kafkaOut = await readSettled(
      kafka,
      [`${prefix}${Topics.EmailsSent}`, `${prefix}${Topics.EmailsFailed}`, `${prefix}${Topics.InvoicesCreated}`],
      (r) => r.length >= qualified.length + 1 + INVOICES,
      120_000,
    );
    const inbox = (await mailpit.messages()).filter((m) => m.MessageID.endsWith(`@${MESSAGE_ID_DOMAIN}`));
    const copies = new Map<string, number>();
    for (const m of inbox) copies.set(m.MessageID, (copies.get(m.MessageID) ?? 0) + 1);
    const missingEmails = [...expectedMessageIds].filter((id) => !copies.has(id));
    const duplicateEmails = [...copies.values()].reduce((n, c) => n + c - 1, 0);
    const unexpected = [...copies.keys()].filter((id) => !expectedMessageIds.has(id));
    expect(missingEmails).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(inbox.some((m) => m.To.some((t) => t.Address.endsWith('@bounce.test')))).toBe(false);

    const perOrder2 = new Map<string, number>();
    for (const i of invoices) perOrder2.set(i.reference ?? '', (perOrder2.get(i.reference ?? '') ?? 0) + 1);
    const missingInvoices = orderIds.filter((o) => !perOrder2.has(o));
    const duplicateInvoices = [...perOrder2.values()].reduce((n, c) => n + c - 1, 0);
    expect(missingInvoices).toEqual([]);
    expect(duplicateInvoices).toBe(0);
    expect(invoices).toHaveLength(INVOICES);

    const byTopic = (t: string) => kafkaOut.filter((r) => r.topic === `${prefix}${t}`);
    const ids = (t: string) => byTopic(t).map((r) => header(r.message, 'ce_id'));
    expect(new Set(ids(Topics.EmailsSent)).size).toBe(qualified.length);
    expect(byTopic(Topics.EmailsSent)).toHaveLength(qualified.length);
    expect(new Set(ids(Topics.InvoicesCreated)).size).toBe(INVOICES);
    expect(byTopic(Topics.InvoicesCreated)).toHaveLength(INVOICES);
    const failed = byTopic(Topics.EmailsFailed).map((r) => JSON.parse(String(r.message.value)) as { requestId: string; smtpCode: number });
    expect(failed).toEqual([expect.objectContaining({ requestId: bounceId, smtpCode: 550 })]);
    // The Message-ID on emails.sent is the one in the inbox.
    const sentIds = new Set(byTopic(Topics.EmailsSent).map((r) => (JSON.parse(String(r.message.value)) as { messageId: string }).messageId));
    expect([...expectedMessageIds].filter((id) => !sentIds.has(id))).toEqual([]);
    // Temporary refusals (451) happened and went round the mailer's retry topic (P(none) < 0.01%).
    const retried = (await readUntil(kafka, [`${prefix}mailer.retry`], () => false, 3000)).filter((r) => (header(r.message, 'retry_history') ?? '').includes('SMTP 451'));
    expect(retried.length).toBeGreaterThan(0);
    console.log(
      `effects under SIGKILL: ${LEADS} leads (${qualified.length} qualified), ${INVOICES} invoice requests, ${kills} kills of mailer and invoicer each; ` +
        `emails: ${expectedMessageIds.size} expected, 0 missing, ${duplicateEmails} duplicate copies (same Message-ID), ${retried.length} retries after a temporary 451, 1 bounce → emails.failed; ` +
        `invoices: ${invoices.length} in the billing simulator, 0 missing, 0 duplicated`,
    );
  }, 600_000);
});
