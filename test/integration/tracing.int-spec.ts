import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { EnvReader } from '@app/common';
import { Topics } from '@app/contracts';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { ROOT, sample, SECRETS, signed } from '../support/ingress';
import { buildOtlpReceiver, startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from '../support/otlp-receiver';
import { freePort, spawnApp, stopped } from '../support/processes';
import { header, provisionPrefix, readUntil, unique, waitFor } from '../support/kafka';

/**
 * OpenTelemetry end to end: the ingress and the lead agent run as their own processes with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a real OTLP receiver (test/otlp-receiver, decoding with the
 * Collector's pdata). One signed CRM webhook, sent with a caller's traceparent, must arrive as one trace:
 * the request's SERVER span, its verification and its PRODUCER span, the agent's CONSUMER span for the
 * record, the transaction commit and the PRODUCER span of the follow-up, each the child of the one before,
 * and the records' ce_traceparent headers naming those producer spans.
 */
describe('tracing: one trace from the webhook request to the follow-up (real OTLP receiver)', () => {
  const prefix = `${unique('otel')}.`;
  let kafka: Kafka;
  let receiver: OtlpReceiver;
  const apps: ChildProcess[] = [];
  let ingressUrl: string;

  beforeAll(async () => {
    const binary = buildOtlpReceiver();
    receiver = await startOtlpReceiver(binary, await freePort(), join(mkdtempSync(join(tmpdir(), 'otlp-')), 'spans.jsonl'));
    kafka = createKafka(kafkaConnectionFromEnv('tracing-test', new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix })));
    await provisionPrefix(kafka, prefix, ['lead-agent']);
    const common = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
      KAFKA_TOPIC_PREFIX: prefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    const port = await freePort();
    const health = await freePort();
    ingressUrl = `http://127.0.0.1:${port}`;
    apps.push(spawnApp('ingress', { ...common, ...SECRETS, PORT: String(port), HOST: '127.0.0.1' }));
    apps.push(spawnApp('lead-agent', { ...common, HEALTH_PORT: String(health), HOST: '127.0.0.1', KAFKA_SESSION_TIMEOUT_MS: '6000' }));
    const ok = (url: string) => fetch(url).then((r) => r.ok || undefined, () => undefined);
    await waitFor(() => ok(`${ingressUrl}/health/ready`), 60_000, 250);
    await waitFor(() => ok(`http://127.0.0.1:${health}/health`), 90_000, 250);
  }, 240_000);
  afterAll(async () => {
    for (const app of apps) {
      app.kill('SIGTERM');
      await stopped(app);
    }
    await receiver?.stop();
  });

  it('exports the request, the handler, the commit and the follow-up as one trace with parent links', async () => {
    const tag = unique('ada');
    const body = JSON.parse(sample('crm.lead.created').toString()) as { id: string; data: { email: string } };
    body.id = `evt_${tag}`;
    body.data.email = `${tag}@analytical-engines.io`;
    const raw = Buffer.from(JSON.stringify(body));
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await fetch(`${ingressUrl}/webhooks/crm`, { method: 'POST', body: raw, headers: { ...signed('crm', raw), traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id: body.id, status: 'accepted' });

    const [input] = await readUntil(kafka, [`${prefix}${Topics.LeadsCreated}`], (r) => r.some((x) => header(x.message, 'ce_id') === body.id), 30_000);
    const follow = await readUntil(kafka, [`${prefix}${Topics.LeadsQualified}`, `${prefix}${Topics.LeadsDisqualified}`], (r) => r.some((x) => header(x.message, 'ce_causationid') === body.id), 60_000);
    const followUp = follow.find((x) => header(x.message, 'ce_causationid') === body.id);
    if (!followUp) throw new Error(`no follow-up of ${body.id}`);

    const trace = await waitFor(() => {
      const spans = receiver.spans().filter((s) => s.traceId === traceId);
      return spans.some((s) => s.name === 'transaction commit') && spans.some((s) => s.name === `send ${followUp.topic}`) ? spans : undefined;
    }, 30_000, 200);
    const one = (name: string): ExportedSpan => {
      const found = trace.filter((s) => s.name === name);
      expect(found.map((s) => s.name)).toEqual([name]);
      return found[0];
    };
    const server = one('POST /webhooks/:provider');
    const verify = one('webhook verify');
    const send = one(`send ${prefix}${Topics.LeadsCreated}`);
    const process_ = one(`process ${prefix}${Topics.LeadsCreated}`);
    const commit = one('transaction commit');
    const sendFollowUp = one(`send ${followUp.topic}`);
    const chain = [server, verify, send, process_, commit, sendFollowUp].map((s) => [s.name, s.service, s.kind, s.parentSpanId]);
    expect(chain).toEqual([
      ['POST /webhooks/:provider', 'ingress', 'Server', callerSpan],
      ['webhook verify', 'ingress', 'Internal', server.spanId],
      [`send ${prefix}${Topics.LeadsCreated}`, 'ingress', 'Producer', server.spanId],
      [`process ${prefix}${Topics.LeadsCreated}`, 'lead-agent', 'Consumer', send.spanId],
      ['transaction commit', 'lead-agent', 'Internal', process_.spanId],
      [`send ${followUp.topic}`, 'lead-agent', 'Producer', process_.spanId],
    ]);
    // The records carry the producer spans: what joins the processes.
    expect(header(input.message, 'ce_traceparent')).toBe(`00-${traceId}-${send.spanId}-01`);
    expect(header(followUp.message, 'ce_traceparent')).toBe(`00-${traceId}-${sendFollowUp.spanId}-01`);
    expect(server.attributes).toMatchObject({ 'http.route': '/webhooks/:provider', 'http.response.status_code': 202, 'hookline.provider': 'crm', 'cloudevents.event_id': body.id });
    expect(verify.attributes).toMatchObject({ 'hookline.verification': 'ok' });
    expect(process_.attributes).toMatchObject({ 'messaging.system': 'kafka', 'cloudevents.event_id': body.id, 'hookline.agent': 'lead-agent', 'hookline.attempt': 1 });
    expect(sendFollowUp.attributes).toMatchObject({ 'cloudevents.event_id': header(followUp.message, 'ce_id') });
    for (const s of [server, verify, send, process_, commit, sendFollowUp]) expect(s.endNs).toBeGreaterThanOrEqual(s.startNs);
    console.log(`tracing: ${trace.length} spans in trace ${traceId}: ${trace.map((s) => `${s.service}:${s.name}`).join(', ')}`);
  }, 120_000);

  // prom-client requires @opentelemetry/api (the API alone, no-op without an SDK) for its exemplars in any
  // case: what must not load without an endpoint is the SDK and the exporter.
  it('loads no OpenTelemetry SDK or exporter when no OTLP endpoint is set, and does when one is', () => {
    const probe = (env: Record<string, string>) => {
      const script = `const c = require('./dist/libs/common/src'); const t = c.tracingFromEnv('probe'); const loaded = Object.keys(require.cache).filter((k) => k.includes('@opentelemetry/') && !k.includes('@opentelemetry/api/')).length; t.shutdown().then(() => console.log(JSON.stringify({ enabled: t.enabled, loaded })));`;
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_'))) as Record<string, string>;
      const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...clean, ...env }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { enabled: boolean; loaded: number };
    };
    expect(probe({})).toEqual({ enabled: false, loaded: 0 });
    expect(probe({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SDK_DISABLED: 'true' })).toEqual({ enabled: false, loaded: 0 });
    const on = probe({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    expect(on.enabled).toBe(true);
    expect(on.loaded).toBeGreaterThan(0);
  });
});
