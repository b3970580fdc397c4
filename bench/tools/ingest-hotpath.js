'use strict';
/**
 * The ingress's hot path in one process, without HTTP or Kafka: WebhookIngest.handle (verification, JSON,
 * normalization, contract, CloudEvent, record) on signed 1 KiB CRM webhooks with a writer that accepts at
 * once. Variants, interleaved in short slices so other load on the machine hits each alike:
 *   off   this build (dist/), no OTEL_* variable: NO_TRACING
 *   on    this build with tracing (spans exported to OTEL_RECEIVER, when set)
 *   base  another build's dist/ (BASE_DIST, e.g. from before tracing existed), when set
 *
 *   npm run build && BASE_DIST=/path/to/old/dist OTEL_RECEIVER=http://127.0.0.1:4318 node bench/tools/ingest-hotpath.js
 *
 * Env: SLICES (20), SLICE_MS (500). Prints the median requests/s and CPU µs per request of each variant
 * over its slices.
 */
const path = require('node:path');
const { webhookFactory } = require('../lib/payload');

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET = 'crm-hotpath-secret';
const slices = Number(process.env.SLICES || 20);
const sliceMs = Number(process.env.SLICE_MS || 500);
const env = {
  WEBHOOK_SECRET_CRM: SECRET,
  WEBHOOK_SECRET_SHOP: 's',
  WEBHOOK_SECRET_LOGISTICS: `whsec_${Buffer.from('logistics-test-secret-32-bytes!!').toString('base64')}`,
  WEBHOOK_SECRET_GITHUB: 'g',
  WEBHOOK_SECRET_STRIPE: 'whsec_s',
  WEBHOOK_SECRET_SLACK: 's',
};

function ingestOf(dist, tracing) {
  const common = require(path.join(dist, 'libs/common/src'));
  const webhooks = require(path.join(dist, 'libs/webhooks/src'));
  const providers = webhooks.loadProviders(path.join(ROOT, 'config/providers.yaml'), new common.EnvReader(env));
  const writer = { send: () => Promise.resolve() };
  return new webhooks.WebhookIngest(providers, writer, 'hotpath.', Date.now, tracing ? common.tracingFromEnv('ingress-hotpath', { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_RECEIVER || 'http://127.0.0.1:4318' }) : undefined);
}

/** One slice: requests handled, and CPU µs (user + system of this process) per request. */
async function slice(ingest, factory, seq) {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const end = Date.now() + sliceMs;
  let n = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 10; i++) {
      const r = factory.request(seq.next++);
      const out = await ingest.handle({ provider: 'crm', rawBody: r.body, headers: r.headers, clientIp: '127.0.0.1' });
      if (out.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(out)}`);
      n++;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: n / seconds, cpuUs: (cpu.user + cpu.system) / n };
}

async function main() {
  const variants = { off: ingestOf(path.join(ROOT, 'dist'), false), on: ingestOf(path.join(ROOT, 'dist'), true) };
  if (process.env.BASE_DIST) variants.base = ingestOf(path.resolve(process.env.BASE_DIST), false);
  const factory = webhookFactory({ tag: 'hotpath', secret: SECRET });
  const seq = { next: 0 };
  const rates = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpus = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const v of Object.keys(variants)) await slice(variants[v], factory, seq); // warm-up
  for (let i = 0; i < slices; i++) {
    for (const v of Object.keys(variants)) {
      const r = await slice(variants[v], factory, seq);
      rates[v].push(r.rate);
      cpus[v].push(r.cpuUs);
    }
  }
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  for (const v of Object.keys(rates)) {
    console.log(`${v}: median ${Math.round(median(rates[v]))} requests/s, ${median(cpus[v]).toFixed(1)} µs CPU per request, over ${slices} slices of ${sliceMs} ms (requests/s min ${Math.round(Math.min(...rates[v]))}, max ${Math.round(Math.max(...rates[v]))})`);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
