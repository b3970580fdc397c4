import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { backoffDelay, NO_TRACING, sleep, type JsonLogger, type Tracing } from '@app/common';
import { agentTopics, physicalTopic } from '@app/contracts';
import { CoPartitionedAssigner } from './copartitioned-assigner';
import type { AgentMetrics } from './metrics';
import { Limiter } from './limiter';
import { runChunkTransaction } from './chunk-transaction';
import { ChunkProcessor, ChunkStopped, type HandlerFn } from './processor';
import { retryDueMs } from './retry-record';
import { restoreTasks } from './restorer';
import { Task } from './task';
import type { AgentOptions } from './types';

/** Where the runtime finds its handlers: the transport (Nest) or a test supplies them. */
export interface HandlerSource {
  /** Logical input topics. */
  topics(): string[];
  handlerFor(topic: string): HandlerFn | undefined;
}

export interface AgentRuntimeDeps {
  kafka: Kafka;
  options: AgentOptions;
  /** The prefix of every topic, group and transactional id (KAFKA_TOPIC_PREFIX, then a shadow's prefix). */
  topicPrefix: string;
  logger: JsonLogger;
  metrics: AgentMetrics;
  /** Spans of handlers, commits and follow-ups (tracingFromEnv); NO_TRACING when unset. */
  tracing?: Tracing;
  /** Called once when the agent reaches a state it cannot leave by itself (the process should exit). */
  onFatal?: (failure: AgentFailure) => void;
}

/**
 * Why an agent stopped for good, with a stable code. /health shows it (503) and the process exits
 * non-zero shortly after, so an orchestrator restarts it instead of keeping a consumer that reads nothing.
 */
export type AgentFailureCode = 'CONSUMER_CRASHED' | 'CONSUMER_CRASH_LOOP' | 'CONSUMER_STOPPED' | 'TASK_NOT_RESTORED';

export interface AgentFailure {
  code: AgentFailureCode;
  message: string;
  at: string;
}

/** Crashes kafkajs restarts from that, within CRASH_LOOP_WINDOW_MS, make a crash loop. */
const CRASH_LOOP_CRASHES = 10;
const CRASH_LOOP_WINDOW_MS = 5 * 60_000;
/** Consecutive failed fence-and-restore attempts of one task before the agent gives up. */
const TASK_RESTORE_ATTEMPTS = 10;

/**
 * The broker could not be reached or its coordinator was not ready: what a broker restart or a network
 * cut looks like. kafkajs wraps these (retries exceeded, non-retriable) once its own retries run out.
 */
export function isBrokerUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const x = e as { name?: string; message?: string; type?: string; cause?: unknown; originalError?: unknown; retriable?: boolean };
    if (x.name === 'KafkaJSConnectionError' || x.name === 'KafkaJSConnectionClosedError' || x.name === 'KafkaJSBrokerNotFound') return true;
    if (x.name === 'KafkaJSGroupCoordinatorNotFound' || x.name === 'KafkaJSRequestTimeoutError') return true;
    if (x.type === 'COORDINATOR_LOAD_IN_PROGRESS' || x.type === 'COORDINATOR_NOT_AVAILABLE' || x.type === 'NOT_COORDINATOR') return true;
    if (typeof x.message === 'string' && /Connection error|ECONNREFUSED|ECONNRESET|EPIPE|write after end|Connection timeout|Closed connection/.test(x.message)) return true;
    e = x.cause ?? x.originalError;
  }
  return false;
}

interface PendingRestore {
  task: Task;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const messagesStart = (messages: { offset: string }[]): string => messages[0]?.offset ?? '0';

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * The exactly-once agent runtime, free of any framework: the consumer group, the partition tasks (fenced,
 * restored), the drain loop that turns inbox records into chunk transactions (chunk-transaction.ts), the
 * retry topic's due-time pausing, and the states it cannot leave by itself. Handlers come from a
 * HandlerSource; the Nest transport (nest/transport.ts) is one.
 */
export class AgentRuntime {
  private consumer?: Consumer;
  private readonly tasks = new Map<number, Task>();
  private restoring?: Promise<void>;
  /** Tasks waiting for the next restore pass, each with the settling of its own restore promise. */
  private toRestore: PendingRestore[] = [];
  private readonly processor: ChunkProcessor;
  private readonly group: string;
  private readonly topics: { processed: string; state: string };
  /** The agent's retry topic: logical and physical name. */
  private readonly retryTopic: { logical: string; physical: string };
  private running = false;
  private closing = false;
  private failure?: AgentFailure;
  private readonly crashes: number[] = [];
  private lastCrashAt = 0;
  private readonly restoreFailures = new Map<number, number>();

  constructor(
    private readonly deps: AgentRuntimeDeps,
    private readonly source: HandlerSource,
  ) {
    const { options, topicPrefix, logger } = deps;
    const own = agentTopics(options.name, options.dedupWindowMs);
    this.group = physicalTopic(topicPrefix, options.name);
    this.topics = { processed: physicalTopic(topicPrefix, own.processed.name), state: physicalTopic(topicPrefix, own.state.name) };
    this.retryTopic = { logical: own.retry.name, physical: physicalTopic(topicPrefix, own.retry.name) };
    this.processor = new ChunkProcessor(
      options.name,
      topicPrefix,
      (t) => this.source.handlerFor(t),
      { retry: options.retry, handlerTimeoutMs: options.handlerTimeoutMs, limiter: new Limiter(options.maxInFlight), tracing: deps.tracing ?? NO_TRACING },
      logger,
    );
  }

  get ready(): boolean {
    return this.running && !this.failure;
  }

  /** Set once the agent cannot go on by itself; /health reports it. */
  get failed(): AgentFailure | undefined {
    return this.failure;
  }

  /** Marks the agent failed (once), logs the cause and tells the process (which exits). */
  private fail(code: AgentFailureCode, message: string): void {
    if (this.failure || this.closing) return;
    this.failure = { code, message, at: new Date().toISOString() };
    this.running = false;
    this.deps.logger.error('agent cannot continue', { code, reason: message });
    this.deps.onFatal?.(this.failure);
  }

  get rememberedIds(): number {
    let n = 0;
    for (const t of this.tasks.values()) n += t.dedup.size;
    return n;
  }

  /** Logical input topics: the topics of the handlers. */
  inputTopics(): string[] {
    return this.source.topics();
  }

  async start(): Promise<void> {
    const { options, logger } = this.deps;
    const inputs = this.inputTopics();
    if (inputs.length === 0) throw new Error(`agent ${options.name} has no @EventPattern handlers`);
    await this.startConsumer(inputs);
    this.running = true;
    logger.info('agent consuming', { agent: options.name, inputs, group: this.group, ...(options.shadowPrefix !== undefined ? { shadowPrefix: options.shadowPrefix, reads: this.retryTopic.physical } : {}) });
  }

  private restarting = false;

  /**
   * kafkajs gives up on a consumer whose broker stayed unreachable past its retries (a non-retriable
   * "Connection error"): that is an outage, not a state the agent cannot leave. Its tasks are dropped (the
   * new consumer fences and restores them again) and a new consumer joins, with backoff, until the broker
   * answers; meanwhile /health says 503 "reconnecting".
   */
  private async restartConsumer(cause: string): Promise<void> {
    if (this.restarting || this.closing || this.failure) return;
    this.restarting = true;
    this.running = false;
    const { logger } = this.deps;
    logger.warn('consumer stopped by a broker outage; starting a new one', { error: cause });
    try {
      for (let attempt = 1; !this.closing && !this.failure; attempt++) {
        await sleep(backoffDelay({ initialMs: 500, maxMs: 10_000 }, attempt));
        if (this.closing || this.failure) return;
        try {
          await this.consumer?.disconnect().catch(() => undefined);
          for (const p of [...this.tasks.keys()]) this.drop(p);
          await this.startConsumer(this.inputTopics());
          this.running = true;
          logger.info('consumer restarted', { attempt });
          return;
        } catch (err) {
          logger.warn('consumer restart failed; retrying', { attempt, error: errorText(err) });
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  get reconnecting(): boolean {
    return this.restarting;
  }

  private async startConsumer(inputs: string[]): Promise<void> {
    const { kafka, options, topicPrefix, logger, metrics } = this.deps;
    const consumer = kafka.consumer({
      groupId: this.group,
      readUncommitted: false,
      partitionAssigners: [CoPartitionedAssigner],
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(options.sessionTimeoutMs * 2, 10_000),
      maxWaitTimeInMs: 50,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    const current = () => this.consumer === consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      const assigned = new Set(Object.values(payload.memberAssignment).flat());
      logger.info('partitions assigned', { tasks: [...assigned].sort((a, b) => a - b) });
      for (const [p, task] of this.tasks) {
        if (!assigned.has(p)) {
          this.tasks.delete(p);
          void task.close();
        }
      }
      for (const p of assigned) void this.task(p).catch(() => undefined);
    });
    // kafkajs restarts a consumer only after a retriable error; after any other (a batch in a codec it
    // cannot read, an authorization error) it stays stopped while the process lives on: a zombie.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!current()) return;
      const now = Date.now();
      this.lastCrashAt = now;
      const cause = errorText(payload.error);
      // An unreachable broker is an outage the agent rides out, not a crash loop.
      if (isBrokerUnavailable(payload.error)) {
        if (!payload.restart) void this.restartConsumer(cause);
        else logger.warn('consumer lost the broker; kafkajs reconnects', { error: cause });
        return;
      }
      if (!payload.restart) return this.fail('CONSUMER_CRASHED', `consumer crashed and will not restart: ${cause}`);
      this.crashes.push(now);
      while (this.crashes.length > 0 && this.crashes[0] < now - CRASH_LOOP_WINDOW_MS) this.crashes.shift();
      logger.warn('consumer crashed; kafkajs restarts it', { error: cause, crashesInWindow: this.crashes.length });
      if (this.crashes.length >= CRASH_LOOP_CRASHES) {
        this.fail('CONSUMER_CRASH_LOOP', `consumer crashed ${this.crashes.length} times within ${CRASH_LOOP_WINDOW_MS / 1000} s; last: ${cause}`);
      }
    });
    // A crash stops the consumer before it reports the crash: judge a stop a moment later.
    consumer.on(consumer.events.STOP, () => {
      const stoppedAt = Date.now();
      setTimeout(() => {
        if (!current() || this.restarting || this.closing || this.failure || this.lastCrashAt >= stoppedAt - 1000) return;
        this.fail('CONSUMER_STOPPED', 'consumer stopped unexpectedly');
      }, 1000).unref();
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // Progress: crashes before it are not a loop.
      this.crashes.length = 0;
      metrics.lag.set({ topic: payload.topic.slice(topicPrefix.length), partition: String(payload.partition) }, Number(payload.offsetLag));
    });
    await consumer.connect();
    // A shadow instance is fed through its retry topic only (a replay); it never reads live traffic.
    const reads = options.shadowPrefix === undefined ? inputs.map((t) => physicalTopic(topicPrefix, t)) : [];
    await consumer.subscribe({ topics: [...reads, this.retryTopic.physical], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** The task for partition p, fenced and restored (restores of tasks assigned together run as one pass). */
  private task(p: number): Promise<Task> {
    const existing = this.tasks.get(p);
    if (existing) return this.whenRestored(existing);
    const { kafka, options, topicPrefix } = this.deps;
    const transactionalId = `${physicalTopic(topicPrefix, options.name)}.task-${p}`;
    const task = new Task(p, kafka, transactionalId, { ...this.topics, group: this.group }, options.dedupWindowMs, options.stateTtlMs);
    this.tasks.set(p, task);
    const done = new Promise<void>((resolve, reject) => this.toRestore.push({ task, resolve, reject }));
    this.restored.set(task, done);
    this.scheduleRestore();
    return this.whenRestored(task);
  }

  /** Per task: settles when the restore pass that took it fenced and restored it (or failed to). */
  private readonly restored = new WeakMap<Task, Promise<void>>();

  private whenRestored(task: Task): Promise<Task> {
    const done = this.restored.get(task);
    if (!done) return Promise.reject(new Error(`task ${task.partition} was never scheduled for a restore`));
    return done.then(() => task);
  }

  /**
   * Runs a restore pass after the current one: every task waiting then is fenced and restored together,
   * and each task's own promise settles with its outcome. A task is processed only once ITS pass restored
   * it: a pass that found nothing to do (its tasks were taken by an earlier pass) must never stand for
   * that earlier pass, which may have failed. When a fence fails, every task of the pass is rejected (and
   * rebuilt by its caller), none restored on a broker that is not answering.
   */
  private scheduleRestore(): void {
    const previous = this.restoring ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => new Promise((r) => setImmediate(r)))
      .then(async () => {
        const waiting = this.toRestore;
        this.toRestore = [];
        try {
          // A task closed meanwhile (revoked, dropped) is settled as it is: its caller sees it closed.
          for (const w of waiting.filter((x) => x.task.closed)) w.resolve();
          const batch = waiting.filter((x) => !x.task.closed);
          if (batch.length === 0) return;
          const t0 = Date.now();
          // Every fence settles before anything is decided: a task is never handed on while its fence still runs.
          const fenced = await Promise.allSettled(batch.map((x) => x.task.fenceAndMark()));
          // A failed fence means the broker or a coordinator is not answering: restoring the others now would
          // wait on the same broker (and hold up every later pass). All of the pass is rebuilt instead, each
          // task after its own backoff; none of them has processed anything.
          const failed = fenced.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) {
            fenced.forEach((r, i) => batch[i].reject(r.status === 'rejected' ? r.reason : failed.reason));
            return;
          }
          await restoreTasks(this.deps.kafka, batch.map((x) => x.task), this.topics, this.deps.logger);
          this.deps.metrics.restoreSeconds.observe((Date.now() - t0) / 1000);
          for (const x of batch) x.resolve();
        } catch (err) {
          // Settling twice changes nothing: whatever was not settled above fails with the pass.
          for (const x of waiting) x.reject(err);
        }
      });
    this.restoring = run;
  }

  /** Partition → time before which a task that just failed is not rebuilt (a broker outage is not a busy loop). */
  private readonly backoffUntil = new Map<number, number>();

  /**
   * Hands the batch to its task and returns, so that kafkajs fetches the next batches while the task's
   * transaction runs (kafkajs fetches again only once every batch of the previous fetch returned). Records
   * that arrive while a transaction runs wait in the task's inbox and go into the next transaction
   * together: under load, transactions grow instead of multiplying. This returns once the task has
   * taken every record of the batch into a transaction (heartbeating meanwhile), so the consumer reads at
   * most one fetch ahead of the transactions and the inbox stays bounded by one fetch.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topicPrefix, metrics, logger } = this.deps;
    const topic = batch.topic.slice(topicPrefix.length);
    const wait = (this.backoffUntil.get(batch.partition) ?? 0) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let task: Task;
    try {
      task = await this.task(batch.partition);
    } catch (err) {
      // A broker outage is ridden out; only a task that fails to restore while the broker answers is given up on.
      const failures = isBrokerUnavailable(err) ? (this.restoreFailures.get(batch.partition) ?? 0) : (this.restoreFailures.get(batch.partition) ?? 0) + 1;
      this.restoreFailures.set(batch.partition, failures);
      if (failures >= TASK_RESTORE_ATTEMPTS) {
        this.fail('TASK_NOT_RESTORED', `task ${batch.partition} could not be fenced or restored in ${failures} attempts: ${errorText(err)}`);
        return;
      }
      logger.warn('task could not be fenced or restored; will retry', { partition: batch.partition, attempt: failures, error: err });
      this.drop(batch.partition);
      this.seek(batch.topic, batch.partition, batch.firstOffset() ?? '0');
      this.backoffUntil.set(batch.partition, Date.now() + backoffDelay({ initialMs: 500, maxMs: 10_000 }, failures + 1));
      return;
    }
    this.restoreFailures.delete(batch.partition);
    // A failed transaction seeked this partition back: records fetched before that are re-read anyway.
    if (batch.messages.length === 0 || payload.isStale() || !payload.isRunning()) return;
    if (task.closed) {
      // The task was dropped (a failed transaction or restore) while this batch was on its way. The seek that
      // came with the drop covered only the topics it knew of; a task reads partition p of several topics
      // (its inputs and the retry topic). Left alone, the fetch position would move past these records and
      // the next task would commit offsets beyond them: read them again.
      this.seek(batch.topic, batch.partition, batch.firstOffset() ?? messagesStart(batch.messages));
      return;
    }
    const messages = batch.topic === this.retryTopic.physical ? this.dueOnly(batch.partition, batch.messages) : batch.messages;
    if (messages.length === 0) return;
    for (const m of messages) {
      task.inbox.push({ topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers });
    }
    payload.resolveOffset(messages[messages.length - 1].offset);
    this.drain(task);
    // Fetch on only once the task took these records into a transaction: one fetch ahead, no more.
    while (task.inbox.length > 0 && !task.closed && payload.isRunning()) {
      await task.changed(1000);
      await payload.heartbeat();
    }
    metrics.rememberedIds.set(this.rememberedIds);
  }

  /** Runs the task's transactions until its inbox is empty; one drain loop per task at a time. */
  private drain(task: Task): void {
    if (task.draining) return;
    task.draining = (async () => {
      const { options, topicPrefix, metrics, logger } = this.deps;
      while (task.inbox.length > 0 && !task.closed) {
        const records = task.inbox.splice(0, options.maxRecordsPerTransaction);
        task.notify();
        try {
          const done = await task.exclusive(() => runChunkTransaction(task, records, this.processor, topicPrefix, Date.now, this.deps.tracing ?? NO_TRACING));
          metrics.transactionSeconds.observe(done.transactionSeconds);
          metrics.transactionRecords.observe(records.length);
          metrics.processed.inc(done.outcome.processed);
          metrics.duplicates.inc(done.outcome.duplicates);
          metrics.deadLettered.inc(done.outcome.deadLettered);
          metrics.retries.inc(done.outcome.retries);
          if (done.outcome.effectsRun > 0) metrics.effects.inc({ outcome: 'run' }, done.outcome.effectsRun);
          if (done.outcome.effectsReplayed > 0) metrics.effects.inc({ outcome: 'replayed' }, done.outcome.effectsReplayed);
          metrics.stateExpired.inc(done.expired);
          for (const sec of done.outcome.handlerSeconds) metrics.handlerSeconds.observe(sec);
        } catch (err) {
          // Revoked: the partition's new owner reads on from the committed offsets.
          if (err instanceof ChunkStopped || task.closed) return;
          // A failed transaction wrote nothing. Start the task afresh (re-fence, re-restore) and re-read
          // every record not committed (this chunk and the inbox); dedup keeps anything a zombie committed
          // from repeating.
          const first = new Map<string, string>();
          for (const r of [...records, ...task.inbox]) if (!first.has(r.topic)) first.set(r.topic, r.offset);
          logger.warn('transaction failed; re-reading from the chunk start', { partition: task.partition, from: Object.fromEntries(first), error: err });
          this.drop(task.partition);
          this.backoffUntil.set(task.partition, Date.now() + 500);
          for (const [t, offset] of first) this.seek(physicalTopic(topicPrefix, t), task.partition, offset);
          return;
        }
      }
    })().finally(() => {
      task.draining = undefined;
      task.notify();
    });
  }

  private readonly resumeTimers = new Map<number, NodeJS.Timeout>();

  /**
   * The retry topic is read in order: the records before the first one not yet due are handed over; at that
   * one the partition is paused and sought back, and resumed when it is due. Records of a key are written
   * there in their order, so a key never overtakes itself; a record due earlier behind a later one waits at
   * most the longest backoff (RETRY_MAX_MS).
   */
  private dueOnly<M extends { offset: string; headers?: IHeaders }>(partition: number, messages: M[]): M[] {
    const now = Date.now();
    const i = messages.findIndex((m) => retryDueMs(m.headers) > now);
    if (i < 0) return messages;
    const dueMs = retryDueMs(messages[i].headers);
    const at = { topic: this.retryTopic.physical, partitions: [partition] };
    this.consumer?.pause([at]);
    this.seek(this.retryTopic.physical, partition, messages[i].offset);
    clearTimeout(this.resumeTimers.get(partition));
    this.resumeTimers.set(
      partition,
      setTimeout(() => {
        this.resumeTimers.delete(partition);
        this.consumer?.resume([at]);
      }, Math.min(dueMs - now, 60_000) + 5),
    );
    return messages.slice(0, i);
  }

  private seek(topic: string, partition: number, offset: string): void {
    try {
      this.consumer?.seek({ topic, partition, offset });
    } catch {
      // The partition was revoked meanwhile: its new owner reads from the committed offset.
    }
  }

  private drop(p: number): void {
    const task = this.tasks.get(p);
    if (!task) return;
    this.tasks.delete(p);
    // Records handed over but not yet in a transaction are read again (a caller that knows of earlier
    // uncommitted records seeks after this, and its seek wins).
    const first = new Map<string, string>();
    for (const r of task.inbox) if (!first.has(r.topic)) first.set(r.topic, r.offset);
    for (const [t, offset] of first) this.seek(physicalTopic(this.deps.topicPrefix, t), p, offset);
    void task.close();
  }

  get kafkaConsumer(): Consumer | undefined {
    return this.consumer;
  }

  /** Graceful stop: let the running chunk finish (or abort), leave the group, close the producers. */
  async close(): Promise<void> {
    this.closing = true;
    this.running = false;
    for (const t of this.resumeTimers.values()) clearTimeout(t);
    this.resumeTimers.clear();
    await this.consumer?.disconnect().catch(() => undefined);
    await Promise.all([...this.tasks.values()].map((t) => t.close()));
    this.tasks.clear();
    await this.deps.tracing?.shutdown().catch(() => undefined);
  }
}
