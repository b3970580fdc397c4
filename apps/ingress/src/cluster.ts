import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { JsonLogger } from '@app/common';

/**
 * Several ingress processes on one host (INGRESS_WORKERS > 1): a primary forks the workers and each runs
 * the whole ingress (its own producer pool, its own Kafka connections) on the same port; Node's cluster
 * module hands connections to the workers in turn. The primary holds no Kafka client and serves nothing
 * itself. It:
 * - stops everything when a worker fails before it listens (a bad setting or an unreachable broker at
 *   start-up fails every worker alike), and replaces a worker that dies later;
 * - on SIGTERM or SIGINT sends SIGTERM to each worker once and waits for all of them to finish their
 *   graceful shutdown (in-flight webhooks answered, producers flushed), then exits; workers ignore SIGINT
 *   themselves, so a Ctrl-C reaching the whole process group still shuts them down only once;
 * - answers the workers' /metrics with the sum over all workers (prom-client's AggregatorRegistry).
 */
const METRICS_REQUEST = 'hookline:metrics-request';
const METRICS_REPLY = 'hookline:metrics-reply';

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

export function isIngressWorker(): boolean {
  return cluster.isWorker;
}

export interface PrimaryOptions {
  workers: number;
  /** How long a worker may take to shut down before it is killed. */
  shutdownGraceMs: number;
}

/** Runs the primary process: forks, supervises and stops the workers. Resolves never; exits the process. */
export function runPrimary(options: PrimaryOptions, logger: JsonLogger): void {
  const aggregator = new AggregatorRegistry();
  const listening = new Set<number>();
  let stopping = false;
  let exitCode = 0;

  cluster.on('message', (worker: Worker, message: unknown) => {
    const m = message as MetricsRequest | undefined;
    if (m?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: m.id, text } satisfies MetricsReply),
      (err: unknown) => worker.send({ type: METRICS_REPLY, id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies MetricsReply),
    );
  });
  cluster.on('listening', (worker) => {
    listening.add(worker.id);
    if (listening.size === options.workers) logger.info('ingress workers listening', { workers: options.workers });
  });
  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('ingress stopped', { workers: options.workers });
        process.exit(exitCode);
      }
      return;
    }
    if (!wasListening) {
      logger.error('an ingress worker failed to start; stopping', { pid: worker.process.pid, code, signal });
      stop(1);
      return;
    }
    logger.warn('an ingress worker exited; starting another', { pid: worker.process.pid, code, signal });
    setTimeout(() => !stopping && cluster.fork(), 1000).unref();
  });

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(code);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('ingress workers did not stop in time; killing them', { graceMs: options.shutdownGraceMs });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, options.shutdownGraceMs).unref();
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  for (let i = 0; i < options.workers; i++) cluster.fork();
}

/** In a worker: its registry is what the primary sums, and SIGTERM (from the primary) stops it gracefully. */
export function setUpWorker(registry: Registry, close: () => Promise<void>, logger: JsonLogger): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the listener that answers the primary's metrics requests
  let closing = false;
  process.on('SIGINT', () => undefined); // the primary decides, and sends SIGTERM
  process.on('SIGTERM', () => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('ingress worker shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  });
}

let nextRequest = 0;
const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();

/** In a worker: the metrics of every worker, summed by the primary. */
export function clusterMetrics(timeoutMs = 5000): Promise<string> {
  if (waiting.size === 0) process.on('message', onReply);
  const id = nextRequest++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the primary did not answer the metrics request'));
    }, timeoutMs);
    waiting.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (e) => (clearTimeout(timer), reject(e)),
    });
    process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
  });
}

function onReply(message: unknown): void {
  const m = message as MetricsReply | undefined;
  if (m?.type !== METRICS_REPLY) return;
  const w = waiting.get(m.id);
  if (!w) return;
  waiting.delete(m.id);
  if (waiting.size === 0) process.off('message', onReply);
  if (m.text !== undefined) w.resolve(m.text);
  else w.reject(new Error(m.error ?? 'no metrics'));
}
