'use strict';
/**
 * The ingress with tracing off and on, side by side: the real ingress (dist/, `npm run build` first) is
 * started once per round without any OTEL_* variable (no OpenTelemetry SDK loaded) and once with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP receiver (every request then exports 3 spans), and each
 * time bench/load/autocannon.js sends signed 1 KiB CRM webhooks for DURATION s at CONNECTIONS connections
 * after a 3 s warm-up. Rounds alternate off/on so drift on a shared machine hits both alike. Beside
 * throughput and latency it prints the ingress's CPU time per accepted request (utime + stime from
 * /proc/<pid>/stat over the measured run), which other load on the machine disturbs far less.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 OTEL_RECEIVER=http://127.0.0.1:4318 node bench/tools/tracing-overhead.js
 *
 * Env: KAFKA_BROKERS (a running broker), OTEL_RECEIVER (an OTLP/HTTP endpoint: test/otlp-receiver, a
 * Collector, Jaeger), ROUNDS (2), DURATION (10), CONNECTIONS (64), INGRESS_PORT (3000), BASE_DIST (the
 * dist/ of another build, e.g. one from before tracing existed: measured too, as "base").
 */
const { fork, spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SECRETS = {
  WEBHOOK_SECRET_CRM: 'crm-test-secret',
  WEBHOOK_SECRET_SHOP: 'shop-test-secret',
  WEBHOOK_SECRET_LOGISTICS: `whsec_${Buffer.from('logistics-test-secret-32-bytes!!').toString('base64')}`,
  WEBHOOK_SECRET_GITHUB: 'github-test-secret',
  WEBHOOK_SECRET_STRIPE: 'whsec_stripe-test-secret',
  WEBHOOK_SECRET_SLACK: 'slack-test-secret',
};
const rounds = Number(process.env.ROUNDS || 2);
const duration = Number(process.env.DURATION || 10);
const connections = Number(process.env.CONNECTIONS || 64);
const port = Number(process.env.INGRESS_PORT || 3000);
const receiver = process.env.OTEL_RECEIVER;
if (!process.env.KAFKA_BROKERS || !receiver) {
  console.error('set KAFKA_BROKERS (a running broker) and OTEL_RECEIVER (an OTLP/HTTP endpoint)');
  process.exit(2);
}

const fs = require('node:fs');
const TICKS_PER_SEC = 100;
/** CPU seconds (user + system) a process used so far (Linux). */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ready = () =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health/ready', timeout: 1000 }, (res) => (res.resume(), resolve(res.statusCode === 200)));
    req.on('error', () => resolve(false));
  });

async function startIngress(variant, prefix) {
  const tracing = variant === 'on';
  const dist = variant === 'base' ? path.resolve(process.env.BASE_DIST) : path.join(ROOT, 'dist');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  Object.assign(env, SECRETS, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KAFKA_TOPIC_PREFIX: prefix });
  if (tracing) Object.assign(env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver });
  const child = spawn(process.execPath, [path.join(dist, 'apps/ingress/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 600 && !(await ready()); i++) await sleep(100);
  return child;
}

function load(seconds, tag) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, 'bench/load/autocannon.js'), [JSON.stringify({ port, connections, durationSec: seconds, tag, maxRequests: 1e9 })], { env: { ...process.env, ...SECRETS } });
    child.on('message', (m) => resolve(m.result));
    child.on('exit', (code) => code !== 0 && reject(new Error(`autocannon exited ${code}`)));
  });
}

async function main() {
  const rows = [];
  const run = Date.now().toString(36);
  for (let r = 1; r <= rounds; r++) {
    for (const variant of process.env.BASE_DIST ? ['base', 'off', 'on'] : ['off', 'on']) {
      const prefix = `ovh-${run}-${r}${variant}.`;
      const ingress = await startIngress(variant, prefix);
      try {
        await load(3, `w${run}${r}${variant}`);
        const cpu0 = cpuSeconds(ingress.pid);
        const res = await load(duration, `m${run}${r}${variant}`);
        const cpuUsPerRequest = Math.round(((cpuSeconds(ingress.pid) - cpu0) * 1e6) / Math.max(1, res.accepted));
        rows.push({ round: r, tracing: variant, acceptedPerSec: res.acceptedPerSec, non2xx: res.non2xx, p50: res.latencyMs.p50, p99: res.latencyMs.p99, cpuUsPerRequest });
        console.log(JSON.stringify(rows[rows.length - 1]));
      } finally {
        ingress.kill('SIGTERM');
        await new Promise((done) => ingress.once('exit', done));
      }
    }
  }
  // Medians: a round disturbed by other load on the machine moves them least.
  const mean = (t, k) => {
    const v = rows
      .filter((x) => x.tracing === t)
      .map((x) => x[k])
      .sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  for (const v of [...new Set(rows.map((x) => x.tracing))]) {
    console.log(
      `${v}: median of ${rounds} rounds (${connections} connections, ${duration} s): ${mean(v, 'acceptedPerSec').toFixed(0)} accepted/s, p50 ${mean(v, 'p50').toFixed(2)} ms, p99 ${mean(v, 'p99').toFixed(2)} ms, ${mean(v, 'cpuUsPerRequest').toFixed(0)} µs ingress CPU per request`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
