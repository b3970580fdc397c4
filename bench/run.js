'use strict';
/**
 * `npm run bench` (full, < 15 min on 2 cores) or `npm run bench -- --quick` (smoke, ~3 min).
 * Builds, snapshots dist/ (so a rebuild by someone else mid-run cannot change or break what is measured),
 * starts a native Kafka broker on its own port (unless KAFKA_BROKERS is set), runs the scenarios one after
 * the other against 127.0.0.1, writes bench/results/latest.{json,md}, and stops everything it started,
 * also on failure and Ctrl-C.
 *
 * Options: --quick, --no-build (reuse dist/), --only=ingress,rate,e2e,agent,streams,slow,recovery, --profile (CPU
 * profile of the ingress during scenario 1, summarised in the results), --targets=ingress,workers,... (scenario 1
 * measures only these of bare, naive, ingress, nokafka, workers, go: for quick loops; ratios need their targets).
 * Environment: KAFKA_BROKERS, BENCH_KAFKA_PORT (29092), BENCH_PORT_BASE (29180: ingress, +1 bare Fastify,
 * +2 naive, +3 agent health, +4 Go peer, +5 ingress with 2 workers, +6 ingress without Kafka), GO_BIN (go).
 */
require('../scripts/require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./lib/procs');
const kafka = require('./lib/kafka');
const { describeMachine } = require('./lib/machine');
const { writeResults } = require('./lib/report');
const { checkAgainst, randomSecrets, webhookFactory } = require('./lib/payload');
const { log } = require('./lib/log');

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results');
const SCENARIOS = {
  ingress: require('./scenarios/ingress'),
  rate: require('./scenarios/rate'),
  e2e: require('./scenarios/e2e'),
  agent: require('./scenarios/agent'),
  // Right after `agent`: the same backlog drained by a Kafka Streams exactly_once_v2 app (Java), for the ratio.
  streams: require('./scenarios/streams'),
  slow: { run: (ctx) => require('./scenarios/agent').runSlow(ctx) },
  poison: require('./scenarios/poison'),
  recovery: require('./scenarios/recovery'),
};

function parseArgs(argv) {
  const opts = { quick: false, build: true, profile: false, only: Object.keys(SCENARIOS), targets: undefined };
  for (const a of argv) {
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-build') opts.build = false;
    else if (a === '--profile') opts.profile = true;
    else if (a.startsWith('--targets=')) opts.targets = a.slice(10).split(',').filter(Boolean);
    else if (a.startsWith('--only=')) {
      opts.only = a.slice(7).split(',').filter(Boolean);
      const unknown = opts.only.filter((s) => !SCENARIOS[s]);
      if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    } else throw new Error(`unknown option ${a}; see the header of bench/run.js`);
  }
  return opts;
}

function build() {
  log('building (node scripts/build.js)');
  const r = spawnSync(process.execPath, ['scripts/build.js'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`build failed (exit ${r.status})`);
}

/** Copies dist/ to .data/bench-<port>/dist; node_modules and config/ still resolve from the repository. */
function snapshotDist(port) {
  const src = path.join(ROOT, 'dist');
  if (!fs.existsSync(path.join(src, 'apps/ingress/src/main.js'))) throw new Error('dist/ has no build; run without --no-build');
  const dest = path.join(ROOT, '.data', `bench-${port}`, 'dist');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(src, dest, { recursive: true });
  return dest;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const runTag = `bench-${Date.now().toString(36)}`;
  const portBase = Number(process.env.BENCH_PORT_BASE || 29180);
  const state = { broker: undefined, snapshot: undefined, cleaned: false, cleaning: undefined, results: undefined, kafkaClient: undefined };
  procs.setLogDir(path.join(RESULTS, 'logs'));
  fs.rmSync(path.join(RESULTS, 'logs'), { recursive: true, force: true });
  procs.setLogDir(path.join(RESULTS, 'logs'));

  // One clean-up, however many callers (the signal handler and main's finally) wait for it.
  const cleanup = () => (state.cleaning ??= doCleanup());
  const doCleanup = async () => {
    procs.close();
    await procs.stopAll(5000);
    if (state.broker && state.broker.external && state.kafkaClient) {
      const n = await kafka.deleteTopicsWithPrefix(state.kafkaClient, `${runTag}-`).catch(() => 0);
      log(`deleted ${n} topic(s) of this run from the external cluster`);
    }
    await kafka.stopBroker(state.broker).catch((e) => log(`could not stop the broker: ${e.message}`));
    if (state.snapshot) fs.rmSync(path.dirname(state.snapshot), { recursive: true, force: true });
    state.cleaned = true;
  };
  let interrupted = false;
  const onSignal = (sig) => {
    if (interrupted) {
      procs.killAllSync();
      kafka.killBrokerSync(state.broker);
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: stopping everything the benchmark started (again to force)`);
    if (state.results) {
      state.results.interrupted = true;
      writeResults(RESULTS, state.results);
    }
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    procs.killAllSync();
    if (!state.cleaned) kafka.killBrokerSync(state.broker);
  });
  const limitMin = opts.quick ? 10 : 20;
  const watchdog = setTimeout(() => {
    log(`the run exceeded ${limitMin} minutes: aborting`);
    onSignal('timeout');
  }, limitMin * 60_000);
  watchdog.unref();

  let failed = false;
  try {
    if (opts.build) build();
    state.broker = await kafka.startBroker();
    state.snapshot = snapshotDist(kafka.BENCH_PORT);
    // Every library's exports in one bag: the benchmarks use the registry, the envelope, the signer and the Kafka helpers.
    const common = Object.assign({}, ...['common', 'contracts', 'kafka', 'webhooks', 'agent'].map((lib) => require(path.join(state.snapshot, 'libs', lib, 'src'))));
    const secrets = randomSecrets();
    checkAgainst(common, webhookFactory({ tag: 'check', secret: secrets.WEBHOOK_SECRET_CRM }), secrets.WEBHOOK_SECRET_CRM);
    state.kafkaClient = kafka.kafkaClient(state.broker.brokers, 'bench-runner');
    const ctx = {
      quick: opts.quick,
      profile: opts.profile,
      targets: opts.targets,
      runTag,
      dist: state.snapshot,
      common,
      broker: state.broker,
      kafka: state.kafkaClient,
      secrets,
      resultsDir: RESULTS,
      ports: { ingress: portBase, bare: portBase + 1, naive: portBase + 2, agentHealth: portBase + 3, go: portBase + 4, ingressWorkers: portBase + 5, noKafka: portBase + 6 },
    };
    const machine = describeMachine(state.broker);
    log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.java}, load ${machine.loadAverageAtStart.join('/')}`);
    state.results = { mode: opts.quick ? 'quick' : 'full', runTag, machine, scenarios: {} };
    ctx.scenarioResults = state.results.scenarios; // earlier scenarios' figures (streams logs its ratio to agent's)
    for (const name of opts.only) {
      if (interrupted) break;
      const t0 = Date.now();
      log(`=== scenario ${name}`);
      try {
        state.results.scenarios[name] = await SCENARIOS[name].run(ctx);
        state.results.scenarios[name].elapsedSec = Math.round((Date.now() - t0) / 100) / 10;
      } catch (err) {
        failed = true;
        if (interrupted) break;
        log(`scenario ${name} FAILED: ${err.stack || err}`);
        state.results.scenarios[name] = { error: String(err.message || err).slice(0, 4000) };
        await procs.stopAll(5000);
      }
      log(`=== scenario ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    state.results.durationSec = Math.round((Date.now() - startedAt) / 1000);
    writeResults(RESULTS, state.results);
    log(`wrote ${path.relative(ROOT, path.join(RESULTS, 'latest.md'))} and latest.json`);
  } catch (err) {
    failed = true;
    log(`benchmark failed: ${err.stack || err}`);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s${interrupted ? ' (interrupted)' : failed ? ' (with failures)' : ''}`);
  process.exit(interrupted ? 130 : failed ? 1 : 0);
}

main().catch((err) => {
  log(`benchmark failed: ${err.stack || err}`);
  process.exit(1);
});
