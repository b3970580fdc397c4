'use strict';
/**
 * `npm run stack`: the whole platform on one machine. Starts the native Kafka broker (KAFKA_NODES=3: a
 * three-node cluster) unless KAFKA_BROKERS points at a cluster, provisions every topic, starts each app as its own process with
 * prefixed logs, and on Ctrl-C (or SIGTERM) stops the apps, then the broker it started.
 * Expects a build in dist/ (npm run stack builds first).
 */
require('./require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { spawn } = require('node:child_process');
const path = require('node:path');
const native = require('./native-kafka.js');
const mailpit = require('./mailpit.js');
const { loadDevEnv } = require('./dev-env.js');

const root = path.resolve(__dirname, '..');
const APPS = (process.env.STACK_APPS || 'ingress,lead-agent,fulfillment-agent,carrier-simulator,mailer,billing-simulator,invoicer,console').split(',').filter(Boolean);
const SMTP_PORT = Number(process.env.MAILPIT_SMTP_PORT || mailpit.DEFAULT_SMTP_PORT);
const INBOX_PORT = Number(process.env.MAILPIT_HTTP_PORT || mailpit.DEFAULT_HTTP_PORT);
// Ports of the local stack; each app's own variables win when set.
const HEALTH_PORTS = {
  'lead-agent': process.env.LEAD_AGENT_HEALTH_PORT || '3101',
  'fulfillment-agent': process.env.FULFILLMENT_AGENT_HEALTH_PORT || '3102',
  mailer: process.env.MAILER_HEALTH_PORT || '3103',
  invoicer: process.env.INVOICER_HEALTH_PORT || '3104',
};
const APP_ENV = {
  ingress: { PORT: process.env.INGRESS_PORT || '3000' },
  'lead-agent': { HEALTH_PORT: HEALTH_PORTS['lead-agent'] },
  'fulfillment-agent': {
    HEALTH_PORT: HEALTH_PORTS['fulfillment-agent'],
    CARRIER_URL: process.env.CARRIER_URL || `http://127.0.0.1:${process.env.CARRIER_PORT || '3200'}`,
    CARRIER_CALLBACK_URL: process.env.CARRIER_CALLBACK_URL || `http://127.0.0.1:${process.env.INGRESS_PORT || '3000'}/webhooks/logistics`,
  },
  'carrier-simulator': { PORT: process.env.CARRIER_PORT || '3200' },
  mailer: { HEALTH_PORT: HEALTH_PORTS.mailer, SMTP_URL: process.env.SMTP_URL || `smtp://127.0.0.1:${SMTP_PORT}` },
  'billing-simulator': { PORT: process.env.BILLING_PORT || '3201' },
  invoicer: { HEALTH_PORT: HEALTH_PORTS.invoicer, BILLING_URL: process.env.BILLING_URL || `http://127.0.0.1:${process.env.BILLING_PORT || '3201'}` },
  // The console shows each agent's health from the ports above.
  console: {
    PORT: process.env.CONSOLE_PORT || '3300',
    CONSOLE_AGENTS: process.env.CONSOLE_AGENTS || Object.entries(HEALTH_PORTS).map(([name, port]) => `${name}=http://127.0.0.1:${port}`).join(','),
  },
};
const COLORS = [36, 35, 33, 32, 34, 31];
/**
 * The apps write to our pipes, not to the terminal, so on their own they would log JSON. When a person
 * watches (our stdout is a terminal) they log short pretty lines, in colour, without their own name
 * (the prefix below names each process). LOG_FORMAT, NO_COLOR and FORCE_COLOR set by the caller win.
 */
function logEnv() {
  if (!process.stdout.isTTY) return {};
  const env = { LOG_FORMAT: process.env.LOG_FORMAT || 'pretty', LOG_PRETTY_SERVICE: '0' };
  if (process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  return env;
}
const width = Math.max(...APPS.map((a) => a.length), 5);

function prefixed(name, color, stream, target) {
  let buf = '';
  const tag = process.stdout.isTTY ? `\x1b[${color}m${name.padEnd(width)}\x1b[0m | ` : `${name.padEnd(width)} | `;
  stream.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      target.write(tag + buf.slice(0, i) + '\n');
      buf = buf.slice(i + 1);
    }
  });
}

async function main() {
  loadDevEnv();
  let startedBroker;
  if (!process.env.KAFKA_BROKERS) {
    const port = Number(process.env.KAFKA_PORT || native.DEFAULT_PORT);
    // KAFKA_NODES=3: a three-node cluster on this host (brokers on port, +2, +4).
    const nodes = Number(process.env.KAFKA_NODES || 1);
    const r = await native.start({ port, nodes });
    startedBroker = r.started ? { port, nodes } : undefined;
    const brokers = r.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const what = nodes === 1 ? `Apache Kafka ${native.KAFKA_VERSION}` : `a ${nodes}-node Apache Kafka ${native.KAFKA_VERSION} cluster`;
    console.log(`kafka | ${r.started ? 'started' : 'reusing'} ${what} on ${brokers}; log: ${r.log}`);
    process.env.KAFKA_BROKERS = brokers;
  } else {
    console.log(`kafka | using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  }

  const common = Object.assign({}, ...['common', 'contracts', 'kafka'].map((lib) => require(path.join(root, 'dist/libs', lib, 'src'))));
  const logger = new common.JsonLogger('stack');
  const conn = common.kafkaConnectionFromEnv('stack');
  const agentSpecs = ['lead-agent', 'fulfillment-agent', 'mailer', 'invoicer'].flatMap((a) => common.agentTopicList(a));
  await common.provisionTopics(conn, [...common.topicSpecs(), ...agentSpecs], logger);

  const startedMailpit = await startMailpit();

  const children = APPS.map((name, i) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/apps', name, 'src/main.js')], {
      cwd: root,
      env: { ...process.env, ...logEnv(), ...(APP_ENV[name] || {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixed(name, COLORS[i % COLORS.length], child.stdout, process.stdout);
    prefixed(name, COLORS[i % COLORS.length], child.stderr, process.stderr);
    child.on('exit', (code, signal) => {
      if (!stopping) console.error(`${name.padEnd(width)} | exited (${signal || code}); the rest of the stack keeps running`);
    });
    return { name, child };
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stack | stopping apps');
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 15000);
            child.once('exit', () => (clearTimeout(kill), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
    if (startedMailpit) {
      console.log('stack | stopping Mailpit');
      await mailpit.stop({ httpPort: INBOX_PORT });
    }
    if (startedBroker !== undefined) {
      console.log('stack | stopping Kafka');
      await native.stop(startedBroker);
    }
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  console.log(`stack | running ${APPS.join(', ')}; Ctrl-C stops everything`);
}

/**
 * Mailpit catches the mailer's email (SMTP on MAILPIT_SMTP_PORT, inbox on MAILPIT_HTTP_PORT), unless
 * SMTP_URL points elsewhere or STACK_MAILPIT=0. Without Go the stack runs on and says what to do instead.
 */
async function startMailpit() {
  if (process.env.SMTP_URL || process.env.STACK_MAILPIT === '0' || !APPS.includes('mailer')) {
    console.log(`mail  | using SMTP_URL=${process.env.SMTP_URL ? redactUrl(process.env.SMTP_URL) : '(none)'}; Mailpit not started`);
    return false;
  }
  try {
    const r = await mailpit.start({ smtpPort: SMTP_PORT, httpPort: INBOX_PORT });
    console.log(`mail  | ${r.started ? 'started' : 'reusing'} Mailpit: SMTP 127.0.0.1:${SMTP_PORT}, inbox http://127.0.0.1:${INBOX_PORT}`);
    return r.started;
  } catch (e) {
    console.error(`mail  | ${e.message}`);
    console.error('mail  | the mailer will retry until an SMTP server answers at its SMTP_URL');
    return false;
  }
}

function redactUrl(u) {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

main().catch((e) => {
  console.error(`stack | ${e instanceof native.BrokerError ? e.message : e.stack || e}`);
  process.exit(1);
});
