/**
 * The work of one transaction, in one place: a chunk of one task's records goes through the processor,
 * and its follow-ups, retry and dead-letter records, processed ids, state and parked-key changes and the
 * next offset of each input topic commit together. The task's in-memory stores change only after the
 * commit; if anything fails, nothing was written and the caller rebuilds the task and re-reads the records.
 */
import { NO_TRACING, type Tracing } from '@app/common';
import { physicalTopic } from '@app/contracts';
import type { OutboundRecord } from '@app/kafka';
import { ChunkStopped, type ChunkOutcome, type InputRecord } from './processor';
import type { ChunkOverlay } from './stores';

/** What the transaction needs of a task (Task is the real one; unit tests pass fakes). */
export interface ChunkTask {
  readonly partition: number;
  readonly closed: boolean;
  overlay(): ChunkOverlay;
  expireState(overlay: ChunkOverlay, nowMs: number): number;
  changelogRecords(overlay: ChunkOverlay, nowMs: number): OutboundRecord[];
  transact(records: OutboundRecord[], offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  pruneIfDue(nowMs: number): void;
}

export interface ChunkProcessorPort {
  process(records: InputRecord[], overlay: ChunkOverlay, stopped?: () => boolean): Promise<ChunkOutcome>;
}

export interface ChunkResult {
  outcome: ChunkOutcome;
  /** Keyed state entries this chunk expired (tombstones in its transaction). */
  expired: number;
  transactionSeconds: number;
}

export async function runChunkTransaction(
  task: ChunkTask,
  records: InputRecord[],
  processor: ChunkProcessorPort,
  topicPrefix: string,
  now: () => number = Date.now,
  tracing: Tracing = NO_TRACING,
): Promise<ChunkResult> {
  if (task.closed) throw new ChunkStopped();
  // The next offset to read, per input topic of the chunk (a task reads partition p of each input).
  const next = new Map<string, bigint>();
  for (const r of records) next.set(r.topic, BigInt(r.offset) + 1n);
  const overlay = task.overlay();
  const expired = task.expireState(overlay, now());
  const outcome = await processor.process(records, overlay, () => task.closed);
  const at = now();
  const t0 = process.hrtime.bigint();
  const outputs = [...outcome.messages, ...task.changelogRecords(overlay, at)];
  // One commit span per traced handler run, its child: the transaction that made its follow-ups visible.
  const traced = tracing.enabled ? (outcome.traced ?? []) : [];
  const commits = traced.map((t) =>
    tracing.start('transaction commit', {
      parent: t.handler,
      attributes: { 'messaging.destination.partition.id': String(task.partition), 'hookline.transaction.input_records': records.length, 'hookline.transaction.output_records': outputs.length },
    }),
  );
  try {
    await task.transact(
      outputs,
      [...next].map(([t, offset]) => ({ topic: physicalTopic(topicPrefix, t), partition: task.partition, offset: offset.toString() })),
    );
  } catch (e) {
    for (const span of [...commits, ...traced.flatMap((t) => t.publishes)]) {
      span.fail(e);
      span.end();
    }
    throw e;
  }
  for (const span of [...commits, ...traced.flatMap((t) => t.publishes)]) span.end();
  const transactionSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  overlay.commit(at);
  task.pruneIfDue(at);
  return { outcome, expired, transactionSeconds };
}
