import { createHmac } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ERRORS, EnvReader, type ErrorCode } from '@app/common';
import { loadProviders, type Provider } from '@app/webhooks';
import { type OutboundRecord } from '@app/kafka';
import { PROVIDERS as CLI_PROVIDERS } from '../../tools/webhook/providers';
import { FakeProducer, ingressWithFake, ROOT, sample, SECRETS, signed } from './ingress';

/** The hostile-input harness: one ingress with a fake producer, a request counter and the checks every case shares. */

export const PROVIDERS = ['crm', 'shop', 'logistics', 'github', 'stripe', 'slack'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
// How each provider signs, identifies and types its requests comes from config/providers.yaml through the
// webhook CLI's provider table: the tests keep no table of their own.
export const TIMESTAMPED: readonly ProviderName[] = PROVIDERS.filter((p) => CLI_PROVIDERS[p].timestamped);

/** The header each provider's signature travels in. */
export const SIGNATURE_HEADER = Object.fromEntries(PROVIDERS.map((p) => [p, CLI_PROVIDERS[p].signatureHeader])) as Record<ProviderName, string>;

/** The event of each sample below, and the headers besides the signature that a provider sends with it. */
const SAMPLE_EVENT: Record<ProviderName, string> = {
  crm: 'lead.created',
  shop: 'orders/create',
  logistics: 'shipment.shipped',
  github: 'push',
  stripe: 'payment_intent.succeeded',
  slack: 'event_callback',
};

/** A real sample per provider and the topic it maps to once signed. */
export const SAMPLES: Record<ProviderName, { body: Buffer; topic: string }> = {
  crm: { body: sample('crm.lead.created'), topic: 'leads.created' },
  shop: { body: sample('shop.orders-create'), topic: 'orders.placed' },
  logistics: { body: sample('logistics.shipment.shipped'), topic: 'shipments.updated' },
  github: { body: sample('github.push'), topic: 'webhooks.github' },
  stripe: { body: sample('stripe.payment_intent.succeeded'), topic: 'webhooks.stripe' },
  slack: { body: sample('slack.event_callback'), topic: 'webhooks.slack' },
};

export type HeaderMap = Record<string, string | string[]>;

/** Valid headers for exactly these bytes, plus the provider's type/id headers (overridable). */
export function signedFor(p: ProviderName, body: Buffer, opts: { nowMs?: number; id?: string; headers?: HeaderMap } = {}): HeaderMap {
  const id = opts.id ?? 'msg_test_1';
  return { ...signed(p, body, { nowMs: opts.nowMs, id, headers: CLI_PROVIDERS[p].headers(SAMPLE_EVENT[p], id) }), ...opts.headers };
}

const secret = (p: ProviderName): string => SECRETS[`WEBHOOK_SECRET_${p.toUpperCase()}`];
const mac = (key: string | Buffer, ...parts: (string | Buffer)[]): Buffer =>
  parts.reduce((h, part) => h.update(part), createHmac('sha256', key)).digest();

/**
 * Headers signed over a timestamp *text* of our choosing (negative, decimal, 20 digits, ...), so a refusal
 * can only come from the timestamp check: the signature itself is right for that text.
 */
export function signedAt(p: 'slack' | 'stripe' | 'logistics', body: Buffer, ts: string, id = 'msg_test_1'): HeaderMap {
  const json = { 'content-type': 'application/json' };
  if (p === 'slack') return { ...json, 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${mac(secret(p), `v0:${ts}:`, body).toString('hex')}` };
  if (p === 'stripe') return { ...json, 'stripe-signature': `t=${ts},v1=${mac(secret(p), `${ts}.`, body).toString('hex')}` };
  const key = Buffer.from(secret(p).slice('whsec_'.length), 'base64');
  return { ...json, 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac(key, `${id}.${ts}.`, body).toString('base64')}` };
}

export interface HostileRequest {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  url: string;
  body?: Buffer | string;
  headers?: HeaderMap;
}

export const post = (p: string, body: Buffer | string, headers: HeaderMap): HostileRequest => ({ url: `/webhooks/${p}`, body, headers });

export type Expected =
  | { code: ErrorCode }
  | { stored: 'accepted' | 'quarantined'; topic?: string; check?: (record: OutboundRecord, request: HostileRequest) => void };

export interface HostileCase {
  name: string;
  request: HostileRequest;
  expect: Expected;
}

export interface Sent {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  records: OutboundRecord[];
}

/** Kafka header values that carry request-derived text must be short, printable ASCII: nothing to inject. */
const SAFE_KAFKA_HEADER = /^[\x20-\x7e]{1,300}$/;

export class HostileIngress {
  tried = 0;
  crashes = 0;
  unauthenticatedRecords = 0;
  readonly heapAtStart = process.memoryUsage().heapUsed;
  heapPeak = this.heapAtStart;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly producer: FakeProducer,
    readonly logs: string[],
    private readonly providers: Map<string, Provider>,
  ) {}

  static async start(): Promise<HostileIngress> {
    const { app, producer, logs } = await ingressWithFake();
    return new HostileIngress(app, producer, logs, loadProviders(`${ROOT}/config/providers.yaml`, new EnvReader(SECRETS)));
  }

  /**
   * Sends one hostile request; counts it, a crash (a throw or a 5xx) and any record written without a
   * valid signature. One at a time: the records written are told apart by resetting the fake producer.
   */
  async send(req: HostileRequest): Promise<Sent> {
    this.tried += 1;
    this.producer.records = [];
    let res;
    try {
      res = await this.app.inject({ method: req.method ?? 'POST', url: req.url, payload: req.body, headers: req.headers });
    } catch (e) {
      this.crashes += 1;
      throw e;
    }
    const records = this.producer.records.splice(0);
    if (res.statusCode >= 500) this.crashes += 1;
    if (records.length > 0 && !this.authentic(req)) this.unauthenticatedRecords += records.length;
    return { status: res.statusCode, body: res.body, headers: res.headers, records };
  }

  /**
   * Oracle independent of the HTTP layer: does the request carry a valid signature for its exact bytes,
   * for the provider its path names? (`new URL` resolves dot segments and keeps %2F encoded, like inject.)
   */
  authentic(req: HostileRequest): boolean {
    if ((req.method ?? 'POST') !== 'POST') return false;
    const match = /^\/webhooks\/([^/]*)$/.exec(new URL(req.url, 'http://ingress').pathname);
    let name: string;
    try {
      name = decodeURIComponent(match?.[1] ?? '');
    } catch {
      return false;
    }
    const provider = this.providers.get(name);
    if (!provider) return false;
    const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body ?? '');
    return provider.verifier.verify({ rawBody, headers, nowMs: Date.now() }).ok;
  }

  async run(c: HostileCase): Promise<Sent> {
    const sent = await this.send(c.request);
    if ('code' in c.expect) expectRefused(sent, c.expect.code, c.request.method === 'HEAD');
    else {
      expectStored(sent, c.expect.stored, c.expect.topic);
      c.expect.check?.(sent.records[0], c.request);
    }
    return sent;
  }

  /** After each batch: the process still answers, and the heap peak is sampled. */
  async checkAlive(): Promise<void> {
    const res = await this.app.inject({ method: 'GET', url: '/health/live' });
    if (res.statusCode !== 200) this.crashes += 1;
    this.heapPeak = Math.max(this.heapPeak, process.memoryUsage().heapUsed);
  }

  summary(): string {
    return `hostile requests tried: ${String(this.tried)}, crashes: ${String(this.crashes)}, unauthenticated records: ${String(this.unauthenticatedRecords)}`;
  }
}

/** Exactly the catalogue's status and `{"error":{"code","message"}}` with the catalogue message; nothing written. */
export function expectRefused(sent: Sent, code: ErrorCode, head = false): void {
  expect({ status: sent.status, records: sent.records.length }).toEqual({ status: ERRORS[code].status, records: 0 });
  if (head && sent.body === '') return; // a HEAD answer may carry no body
  expect(sent.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(sent.body)).toEqual({ error: { code, message: ERRORS[code].message } });
}

/** 202 with `{id, status}` only, exactly one record, request-derived Kafka headers sanitized, a value that re-parses. */
export function expectStored(sent: Sent, outcome: 'accepted' | 'quarantined', topic?: string): OutboundRecord {
  expect({ status: sent.status, records: sent.records.length }).toEqual({ status: 202, records: 1 });
  const record = sent.records[0];
  const ceId = record.message.headers?.ce_id;
  expect(JSON.parse(sent.body)).toEqual({ id: ceId, status: outcome });
  expect(record.topic).toBe(outcome === 'quarantined' ? 'webhooks.quarantine' : (topic ?? record.topic));
  for (const [name, value] of Object.entries(record.message.headers ?? {})) {
    expect([name, typeof value === 'string' && SAFE_KAFKA_HEADER.test(value)]).toEqual([name, true]);
  }
  expect(() => JSON.parse(String(record.message.value)) as unknown).not.toThrow();
  return record;
}

/** Any answer at all must be one of the documented shapes. */
export function expectDocumentedShape(sent: Sent): void {
  if (sent.status >= 400) {
    const code = (JSON.parse(sent.body) as { error?: { code?: string } }).error?.code ?? '';
    expect(Object.keys(ERRORS)).toContain(code);
    expectRefused(sent, code as ErrorCode);
  } else if (sent.status === 202) {
    expect(JSON.parse(sent.body)).toEqual({ id: expect.any(String) as string, status: expect.stringMatching(/^(accepted|quarantined)$/) as string });
  } else {
    expect(sent.status).toBe(200); // the Slack url_verification handshake
    expect(JSON.parse(sent.body)).toEqual({ challenge: expect.any(String) as string });
  }
}

export function quarantined(record: OutboundRecord): { reason: string; eventType: string | null; headers: Record<string, string>; body: unknown; bodyText?: string } {
  return JSON.parse(String(record.message.value)) as ReturnType<typeof quarantined>;
}

export const kafkaHeader = (record: OutboundRecord, name: string): string => String(record.message.headers?.[name]);
