import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCluster } from '../support/cluster';
import { startIngress, type RunningIngress } from '../support/ingress-kafka';
import { waitFor } from '../support/kafka';
import { spawnApp, stopped } from '../support/processes';
import { describeReport, WebhookFlow, type FlowReport } from '../support/webhook-flow';

/**
 * The whole path (a real ingress, lead-agent processes) on a three-node KRaft cluster while brokers fail
 * and the agent group changes size: replication factor 3 and min.insync.replicas=2 must turn each fault
 * into a pause at most, never a loss. Kafka's own exactly-once system tests bounce brokers and clients
 * while a transactional copier runs, then check that output equals input; this is the same bar.
 * The cluster listens on TEST_CLUSTER_KAFKA_PORT, +2, +4 (controllers on the next ports); by default the
 * test broker's port + 300, so parallel runs with different TEST_KAFKA_PORTs never meet. Only in
 * `npm run test:faults`: three brokers and several processes are too heavy for `npm test`.
 */
const BASE = Number(process.env.TEST_CLUSTER_KAFKA_PORT || Number(process.env.TEST_KAFKA_PORT || 19092) + 300);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three-node cluster: broker failover, rolling restart, a paused broker and agent scale-out under load', () => {
  const cluster = new TestCluster(BASE);
  const logDir = mkdtempSync(join(tmpdir(), 'hookline-cluster-'));
  const agents: ChildProcess[] = [];
  let ingress: RunningIngress | undefined;

  const startAgent = (prefix: string): ChildProcess => {
    const child = spawnApp('lead-agent', {
      KAFKA_BROKERS: cluster.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      HEALTH_PORT: '0',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'info',
    });
    agents.push(child);
    return child;
  };
  const stopAgent = async (child: ChildProcess, signal: NodeJS.Signals) => {
    child.kill(signal);
    await stopped(child);
  };
  /** A fresh prefix: an ingress and `n` lead-agent processes, ready to accept. */
  const pipeline = async (n: number): Promise<WebhookFlow> => {
    ingress = await startIngress({ brokers: cluster.brokers, deadlineMs: 5000, quiet: true });
    for (let i = 0; i < n; i++) startAgent(ingress.prefix);
    const flow = new WebhookFlow(ingress);
    await flow.waitUntilAccepting();
    // An agent that could not start (a missing build, a bad setting) fails here, not after the long wait for follow-ups.
    const dead = agents.filter((a) => a.exitCode !== null || a.signalCode !== null);
    if (dead.length > 0) throw new Error(`lead-agent exited at start: ${(dead[0] as ChildProcess & { tail: () => string }).tail()}`);
    return flow;
  };
  const finish = async (flow: WebhookFlow, label: string, extra: string): Promise<FlowReport> => {
    const report = await flow.verify(cluster.kafka, undefined, 300_000);
    console.log(describeReport(`cluster ${label}`, report, `${extra} (agent logs in ${logDir})`));
    return report;
  };
  const expectNothingLost = (r: FlowReport) => {
    expect(r.refusedNot503).toEqual([]);
    expect(r.lost).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.duplicated).toBe(0);
    expect(r.stored).toBeGreaterThanOrEqual(r.accepted);
  };

  beforeAll(async () => {
    process.env.TEST_APP_LOG_DIR = logDir;
    await cluster.start();
    await cluster.waitInSync();
  }, 300_000);
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => stopAgent(a, 'SIGKILL')));
    await ingress?.close();
    ingress = undefined;
    // The next fault starts from a whole cluster.
    await cluster.start();
    await cluster.waitInSync();
  }, 300_000);
  afterAll(async () => {
    delete process.env.TEST_APP_LOG_DIR;
    await cluster.destroy();
  }, 120_000);

  it('SIGKILL of the broker leading most input partitions: every 202 stored, refusals 503, each follow-up once', async () => {
    const flow = await pipeline(2);
    const prefix = flow.ingress.prefix;
    const victim = await cluster.leaderOfMost(`${prefix}leads.created`);
    await flow.flow('kill', 1500, 300, async () => {
      await cluster.stop(victim.node, 'SIGKILL', 5000);
    });
    const r = await finish(flow, 'SIGKILL of the leader', `node ${victim.node} led ${victim.led} of ${victim.partitions} leads.created partitions`);
    expectNothingLost(r);
    // Project and internal topics are replicated three times, two copies needed for a write.
    const replication = await cluster.replication([`${prefix}leads.created`, `${prefix}leads.qualified`, '__transaction_state', '__consumer_offsets']);
    for (const [topic, x] of Object.entries(replication)) expect({ topic, ...x }).toEqual({ topic, replicas: 3, minInsync: '2' });
  }, 900_000);

  it('rolling restart of all three brokers under load, one at a time', async () => {
    const flow = await pipeline(2);
    const topics = (await cluster.withAdmin((a) => a.listTopics())).filter((t) => t.startsWith(flow.ingress.prefix));
    const load = flow.load('rolling', 2);
    const times: string[] = [];
    for (const node of [1, 2, 3]) {
      const t0 = Date.now();
      await cluster.stop(node, 'SIGTERM');
      await cluster.start(node);
      await cluster.waitInSync(topics);
      times.push(`node ${node} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    await sleep(3000);
    await load.stop();
    const r = await finish(flow, 'rolling restart', `restarts until back in sync: ${times.join(', ')}`);
    expectNothingLost(r);
  }, 900_000);

  it('a broker paused with SIGSTOP for 30 s, then resumed', async () => {
    const flow = await pipeline(2);
    const victim = await cluster.leaderOfMost(`${flow.ingress.prefix}leads.created`);
    const pid = cluster.pid(victim.node);
    if (!pid) throw new Error(`node ${victim.node} is not running`);
    const load = flow.load('paused', 2);
    await sleep(3000);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(30_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await cluster.waitInSync((await cluster.withAdmin((a) => a.listTopics())).filter((t) => t.startsWith(flow.ingress.prefix)));
    await sleep(5000);
    await load.stop();
    const r = await finish(flow, 'SIGSTOP 30 s', `node ${victim.node} (led ${victim.led} of ${victim.partitions} leads.created partitions) paused`);
    expectNothingLost(r);
  }, 600_000);

  it('the agent group scaled 1 -> 3 -> 1 under load, an instance SIGKILLed during a rebalance', async () => {
    const flow = await pipeline(1);
    const group = `${flow.ingress.prefix}lead-agent`;
    const state = () => cluster.withAdmin(async (a) => (await a.describeGroups([group])).groups[0]);
    /** Waits until the group is in a rebalance (members joining or syncing), then returns. */
    const rebalancing = () => waitFor(async () => (['PreparingRebalance', 'CompletingRebalance'].includes((await state()).state) ? true : undefined), 30_000, 20);
    const stable = (members: number) =>
      waitFor(async () => {
        const g = await state();
        return g.state === 'Stable' && g.members.length === members ? true : undefined;
      }, 60_000, 200);
    const first = agents[0];
    const load = flow.load('scale');
    await stable(1);
    await sleep(3000);
    // 1 -> 3: two instances join; while that rebalance runs, the newest is SIGKILLed and replaced.
    const second = startAgent(flow.ingress.prefix);
    const third = startAgent(flow.ingress.prefix);
    await rebalancing();
    await stopAgent(third, 'SIGKILL');
    const killedDuring = 'joining';
    const fourth = startAgent(flow.ingress.prefix);
    await stable(3);
    await sleep(5000);
    // 3 -> 1: one leaves cleanly; during the rebalance its leaving starts, another is SIGKILLed.
    void stopAgent(second, 'SIGTERM');
    await rebalancing();
    await stopAgent(fourth, 'SIGKILL');
    await stopped(second);
    await stable(1);
    expect(first.exitCode).toBeNull();
    await sleep(5000);
    await load.stop();
    const r = await finish(flow, 'agents 1 -> 3 -> 1', `2 SIGKILLs during rebalances (one ${killedDuring}, one while another left), 1 SIGTERM`);
    expectNothingLost(r);
  }, 600_000);
});
