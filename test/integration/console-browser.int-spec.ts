import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Admin, Kafka } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DeadLetterError, type AgentContext } from '@app/agent';
import { EnvReader } from '@app/common';
import { Topics, type Lead } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { parseAgents } from '../../apps/console/src/config';
import { ConsoleReader } from '../../apps/console/src/console-reader';
import { createConsoleApp } from '../../apps/console/src/create-app';
import { LeadAgentModule } from '../../apps/lead-agent/src/lead-agent.module';
import { startAgent } from '../support/agents';
import { signed } from '../support/ingress';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { provisionPrefix, unique } from '../support/kafka';
import { testLogger } from '../support/test-logger';

/**
 * The web console in a real browser (Debian's chromium driven by playwright-core) against a real broker:
 * a webhook sent through the real ingress (over HTTP) appears on the events page; its trace shows the
 * lead agent's follow-ups; a record another agent dead-lettered is redriven with the page's button and
 * processed once more, its new follow-up then in the trace.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PORTS = { ingress: 19360, console: 19361, leadHealth: 19362, inboxHealth: 19363 };
const INBOX = 'inbox-agent';

let rejecting = true;
const handled: string[] = [];

/** An agent that dead-letters every lead until told otherwise, then disqualifies it. */
@Controller()
class InboxController {
  @EventPattern<string>(Topics.LeadsCreated)
  async onLead(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    handled.push(`${ctx.event.id}${rejecting ? ' rejected' : ''}`);
    if (rejecting) throw new DeadLetterError('the inbox is closed for maintenance');
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: lead.crmId, score: 0, reasons: ['redriven from the console'] });
  }
}

@Module({ controllers: [InboxController] })
class InboxModule {}

/** Reloads `url` until `ready` holds (the page reads Kafka on each request). */
async function reloadUntil(page: Page, url: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await page.goto(url);
    if (res?.status() === 200 && (await ready())) return;
    if (Date.now() > deadline) throw new Error(`${url} not as expected within ${timeoutMs} ms; page text:\n${(await page.textContent('main'))?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('web console in a real browser (real broker, real ingress)', () => {
  let ingress: RunningIngress;
  let kafka: Kafka;
  let admin: Admin;
  let lead: INestApplication;
  let inbox: INestApplication;
  let consoleApp: NestFastifyApplication;
  let browser: Browser;
  let page: Page;
  const base = `http://127.0.0.1:${PORTS.console}`;

  beforeAll(async () => {
    const prefix = `${unique('console')}.`;
    ingress = await startIngress({ prefix, quiet: true });
    await ingress.app.listen(PORTS.ingress, '127.0.0.1');
    kafka = createKafka(kafkaConnectionFromEnv('console-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, [INBOX]);
    [lead, inbox] = await Promise.all([startAgent('lead-agent', LeadAgentModule, prefix), startAgent(INBOX, InboxModule, prefix)]);
    await lead.listen(PORTS.leadHealth, '127.0.0.1');
    await inbox.listen(PORTS.inboxHealth, '127.0.0.1');
    admin = kafka.admin();
    const config = {
      agents: parseAgents(`lead-agent=http://127.0.0.1:${PORTS.leadHealth},${INBOX}=http://127.0.0.1:${PORTS.inboxHealth}`),
      recentOffsets: 500,
      readTimeoutMs: 20_000,
      healthTimeoutMs: 2000,
    };
    consoleApp = await createConsoleApp({
      reader: new ConsoleReader(kafka, admin, prefix, config),
      config: { ...config, port: PORTS.console, host: '127.0.0.1' },
      logger: testLogger('console-it'),
    });
    await consoleApp.listen(PORTS.console, '127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
    await admin?.disconnect();
    await Promise.all([lead?.close(), inbox?.close()]);
    await ingress?.close();
  });

  it('shows a webhook just sent, its trace with follow-ups, and redrives a dead letter from the page', async () => {
    const t0 = Date.now();
    const home = await page.goto(`${base}/`);
    expect(home?.status()).toBe(200);
    expect(await page.textContent('h1')).toContain('Recent events');

    // A lead through the real ingress, over HTTP, signed as the CRM signs it.
    const id = unique('evt');
    const email = `${id}@acme-corp.example`;
    const body = Buffer.from(JSON.stringify({ id, type: 'lead.created', data: { id: `crm-${id}`, email, company: 'Acme', company_size: 500, country: 'DE', title: 'Head of IT' } }));
    const res = await fetch(`http://127.0.0.1:${PORTS.ingress}/webhooks/crm`, { method: 'POST', body, headers: signed('crm', body) });
    expect(res.status).toBe(202);

    // It appears on the events page (no search: the newest first).
    const row = page.locator(`#events tr[data-event-id="${id}"]`);
    await reloadUntil(page, `${base}/events`, async () => (await row.count()) === 1);
    expect(await row.textContent()).toContain('crm.lead.created');
    expect(await row.textContent()).toContain('leads.created/');

    // Its id links to its trace: the lead agent's two follow-ups, each a hop with its delay.
    await row.locator(`a[href="/trace/${id}"]`).click();
    const followUps = page.locator('#timeline .row[data-depth="1"]');
    await reloadUntil(page, `${base}/trace/${id}`, async () => (await followUps.count()) >= 2);
    expect(await page.locator('#timeline .row[data-depth="0"]').getAttribute('data-event-id')).toBe(id);
    const hops = await followUps.allTextContents();
    expect(hops.map((t) => (/lead\.qualified|email\.requested/.exec(t) ?? ['?'])[0]).sort()).toEqual(['email.requested', 'lead.qualified']);
    for (const hop of hops) expect(hop).toMatch(/↳ \+\d+(\.\d+)? (ms|s)/);

    // The inbox agent dead-lettered the same lead: its page lists it, with its health.
    const letter = page.locator(`#dead-letters tr[data-dead-letter="${id}"]`);
    await reloadUntil(page, `${base}/agents/${INBOX}`, async () => (await letter.count()) === 1);
    expect(await letter.textContent()).toContain('the inbox is closed for maintenance');
    expect(await page.locator('.badge.ok').first().textContent()).toBe('ok');

    // Redrive from the page: the record is processed once more, and this time accepted.
    rejecting = false;
    await letter.locator(`button[data-redrive="${id}"]`).click();
    await page.waitForURL(`${base}/agents/${INBOX}?redriven=${encodeURIComponent(id)}`);
    expect(await page.textContent('#redriven')).toContain(id);

    const redriven = page.locator('#timeline .row[data-depth="1"]', { hasText: 'lead.disqualified' });
    await reloadUntil(page, `${base}/trace/${id}`, async () => (await redriven.count()) === 1);
    expect(handled.filter((h) => h.startsWith(id))).toEqual([`${id} rejected`, id]);
    // Still one dead-lettered copy: the redriven record was processed, not dead-lettered again.
    expect(await page.locator('.badge.bad').allTextContents()).toEqual([`dead-lettered by ${INBOX}`]);
    console.log(`console browser test: webhook to redriven follow-up in ${Date.now() - t0} ms`);
  }, 120_000);
});
