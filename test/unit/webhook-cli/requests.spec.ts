import { join } from 'node:path';
import { createVerifier, loadProviders, WebhookIngest } from '@app/webhooks';
import { EnvReader } from '@app/common';
import { type OutboundRecord } from '@app/kafka';
import { parseArgs, type SendOptions } from '../../../tools/webhook/args';
import { loadPayload } from '../../../tools/webhook/payload';
import { PROVIDERS } from '../../../tools/webhook/providers';
import { planRequests } from '../../../tools/webhook/requests';
import { ROOT, SCHEMES, SECRETS } from '../../support/ingress';

const NOW = Date.now();
const secretOf = (provider: string) => SECRETS[`WEBHOOK_SECRET_${provider.toUpperCase()}`];

function plan(argv: string[], runId = 'run-1') {
  const command = parseArgs(['send', ...argv]);
  if (command.kind !== 'send') throw new Error('expected send');
  const options: SendOptions = command.options;
  return planRequests(options, loadPayload(options, ROOT), secretOf(options.provider), NOW, () => runId);
}

const verify = (provider: string, r: { body: Buffer; headers: Record<string, string> }, nowMs = NOW) =>
  createVerifier(SCHEMES[provider], [secretOf(provider)]).verify({ rawBody: r.body, headers: r.headers, nowMs });

/** The real ingress use case, with its real provider config, writing to an array. */
function ingress() {
  const records: OutboundRecord[] = [];
  const ingest = new WebhookIngest(loadProviders(join(ROOT, 'config', 'providers.yaml'), new EnvReader(SECRETS)), { send: async (r) => void records.push(r) }, '', () => NOW);
  const handle = (provider: string, r: { body: Buffer; headers: Record<string, string> }) =>
    ingest.handle({ provider, rawBody: r.body, headers: r.headers, clientIp: '127.0.0.1' });
  return { records, handle };
}

const ALL_EVENTS = Object.entries(PROVIDERS).flatMap(([provider, spec]) => Object.keys(spec.samples).map((event) => [provider, event]));
const EVENTS = ALL_EVENTS.filter(([, event]) => event !== 'url_verification'); // a handshake, not an event

describe('webhook CLI requests', () => {
  it.each(ALL_EVENTS)('signs %s %s so that the provider scheme verifies it', (provider, event) => {
    const { requests } = plan([provider, event]);
    expect(requests).toHaveLength(1);
    expect(verify(provider, requests[0]).ok).toBe(true);
    expect(requests[0].url).toBe(`http://127.0.0.1:3000/webhooks/${provider}`);
    expect(requests[0].headers['content-type']).toBe('application/json');
  });

  it('sends a single event byte for byte as the sample', () => {
    expect(plan(['shop', 'orders/create']).requests[0].body).toEqual(loadPayload({ provider: 'shop', event: 'orders/create' }, ROOT));
  });

  it.each(EVENTS)('has %s %s accepted by the ingress with the id it prints', async (provider, event) => {
    const { requests } = plan([provider, event]);
    const outcome = await ingress().handle(provider, requests[0]);
    expect(outcome).toMatchObject({ kind: 'accepted', id: requests[0].id });
  });

  it('sends the Shopify topic and webhook id, and the GitHub event and delivery id', () => {
    expect(plan(['shop', 'orders/create']).requests[0].headers).toMatchObject({ 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'run-1' });
    expect(plan(['github', 'push']).requests[0].headers).toMatchObject({ 'x-github-event': 'push', 'x-github-delivery': 'run-1' });
  });

  it.each(ALL_EVENTS)('makes --bad-signature fail verification for %s %s as a mismatch, not malformed', (provider, event) => {
    const { requests, expectRejection } = plan([provider, event, '--bad-signature']);
    expect(verify(provider, requests[0])).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(expectRejection).toBe(true);
  });

  it.each([
    ['slack', 'event_callback', (h: Record<string, string>) => h['x-slack-request-timestamp']],
    ['stripe', 'payment_intent.succeeded', (h: Record<string, string>) => /t=(\d+)/.exec(h['stripe-signature'])?.[1]],
    ['logistics', 'shipment.shipped', (h: Record<string, string>) => h['webhook-timestamp']],
  ])('signs %s with a timestamp 600 s old under --stale, which the verifier refuses as stale', (provider, event, timestamp) => {
    const { requests, expectRejection, notes } = plan([provider, event, '--stale']);
    expect(Number(timestamp(requests[0].headers))).toBe(Math.floor(NOW / 1000) - 600);
    expect(verify(provider, requests[0])).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify(provider, requests[0], NOW - 600_000).ok).toBe(true);
    expect(expectRejection).toBe(true);
    expect(notes).toEqual([]);
  });

  it.each([
    ['crm', 'lead.created'],
    ['github', 'push'],
  ])('notes that %s has no timestamp under --stale and signs normally', (provider, event) => {
    const { requests, expectRejection, notes } = plan([provider, event, '--stale']);
    expect(notes).toEqual([expect.stringContaining('carries no timestamp') as string]);
    expect(verify(provider, requests[0]).ok).toBe(true);
    expect(expectRejection).toBe(false);
  });

  it.each(EVENTS)('makes --count 3 three distinct events the ingress accepts for %s %s', async (provider, event) => {
    const { requests } = plan([provider, event, '--count', '3']);
    const { handle, records } = ingress();
    const ids: string[] = [];
    for (const r of requests) {
      expect(verify(provider, r).ok).toBe(true);
      const outcome = await handle(provider, r);
      expect(outcome).toMatchObject({ kind: 'accepted', id: r.id });
      ids.push(r.id);
    }
    expect(new Set(ids).size).toBe(3);
    expect(records.every((rec) => !rec.topic.includes('quarantine'))).toBe(true);
  });

  it('keeps each of --count shop orders exact and distinct, and each CRM lead a distinct valid email', async () => {
    const { handle, records } = ingress();
    for (const r of plan(['shop', 'orders/create', '--count', '2']).requests) await handle('shop', r);
    for (const r of plan(['crm', 'lead.created', '--count', '2']).requests) await handle('crm', r);
    expect(records.map((r) => String(r.message.key))).toEqual([
      '820982911946154509',
      '820982911946154510',
      'ada.lovelace-1@analytical-engines.io',
      'ada.lovelace-2@analytical-engines.io',
    ]);
    expect(plan(['shop', 'orders/create', '--count', '2']).requests[1].body.toString()).toContain('"id":820982911946154510,');
  });

  it('sends each event twice with the same id under --duplicate', () => {
    const { requests } = plan(['logistics', 'shipment.shipped', '--duplicate', '--count', '2']);
    expect(requests.map((r) => [r.headers['webhook-id'], r.duplicate])).toEqual([
      ['run-1-1', false],
      ['run-1-1', true],
      ['run-1-2', false],
      ['run-1-2', true],
    ]);
    expect(requests[1].body).toEqual(requests[0].body);
  });
});
