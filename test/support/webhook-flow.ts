import type { LightMyRequestResponse } from 'fastify';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { followUpId } from '@app/agent';
import { signed } from './ingress';
import type { RunningIngress } from './ingress-kafka';
import { header, readUntil, unique, type Received } from './kafka';

/**
 * Signed leads sent through a real ingress (inject, no socket) while something goes wrong underneath,
 * and the end-to-end check the fault suites share: every 202 is on leads.created, every refusal is a 503
 * with Retry-After, and every stored lead has exactly one follow-up from the lead agent.
 */
export class WebhookFlow {
  readonly outcomes = new Map<string, LightMyRequestResponse>();

  constructor(readonly ingress: RunningIngress) {}

  async send(id: string): Promise<LightMyRequestResponse> {
    const body = Buffer.from(JSON.stringify({ id, type: 'lead.created', data: { id, email: `${id}@acme-corp.io`, company: 'Acme', company_size: 300 } }));
    const res = await this.ingress.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: signed('crm', body) });
    this.outcomes.set(id, res);
    return res;
  }

  /** Sends `count` webhooks, `perTick` concurrently every 50 ms, running `fault` after `faultAfter` of them. */
  async flow(label: string, count: number, faultAfter: number, fault: () => Promise<void>): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 5) {
      // The requests sent before the fault are answered first: under load an answer can take longer than
      // the pacing, and one still waiting for its acknowledgement when the broker dies is rightly a 503.
      if (i === faultAfter) {
        await Promise.all(pending);
        await fault();
      }
      for (let j = i; j < Math.min(count, i + 5); j++) pending.push(this.send(`${label}-${j}`));
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(pending);
  }

  /** Sends `perTick` webhooks every 50 ms (5: about 100/s) until the returned stop() is awaited. */
  load(label: string, perTick = 5): { stop: () => Promise<number> } {
    let running = true;
    let n = 0;
    const pending: Promise<unknown>[] = [];
    const loop = (async () => {
      while (running) {
        for (let j = 0; j < perTick; j++) pending.push(this.send(`${label}-${n++}`));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        await Promise.all(pending);
        return n;
      },
    };
  }

  async ready(): Promise<boolean> {
    return (await this.ingress.app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200;
  }

  /**
   * Recovery: ready again (every producer of the pool reconnected, none stalled) and a probe accepted.
   * Each producer reconnects on its own backoff, so one accepted probe alone does not mean all keys are.
   */
  async waitUntilAccepting(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // A burst, so that every producer of the pool (each owns a share of the keys) is tried.
      if (await this.ready()) {
        const burst = await Promise.all(Array.from({ length: 30 }, () => this.send(unique('probe'))));
        if (burst.every((r) => r.statusCode === 202)) return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`ingress did not recover within ${timeoutMs / 1000} s`);
  }

  /** The ids answered 202 and the other answers, by id. */
  answers(filter: (id: string) => boolean = () => true): { sent: number; accepted: string[]; refused: [string, LightMyRequestResponse][] } {
    const all = [...this.outcomes].filter(([id]) => filter(id));
    return {
      sent: all.length,
      accepted: all.filter(([, r]) => r.statusCode === 202).map(([id]) => id),
      refused: all.filter(([, r]) => r.statusCode !== 202),
    };
  }

  /**
   * Reads leads.created and the lead agent's outputs under the ingress's prefix and counts, for the ids
   * `filter` selects: accepted but not stored (lost), stored leads without a follow-up (missing), and
   * follow-ups produced more than once (duplicated). Waits for the follow-ups of every stored lead, then
   * reads on for `settleMs` so that a duplicate arriving late is seen.
   */
  async verify(kafka: Kafka, filter: (id: string) => boolean = () => true, timeoutMs = 180_000, settleMs = 3000): Promise<FlowReport> {
    const { sent, accepted, refused } = this.answers(filter);
    const prefix = this.ingress.prefix;
    const waitingFor = new Set(accepted);
    const inputs = await readUntil(
      kafka,
      [`${prefix}leads.created`],
      (rs) => {
        waitingFor.delete(header(rs[rs.length - 1].message, 'ce_id') ?? '');
        return waitingFor.size === 0;
      },
      timeoutMs,
    );
    const stored = new Set(inputs.map((x) => header(x.message, 'ce_id') ?? '').filter((id) => id && filter(id)));
    const lost = accepted.filter((id) => !stored.has(id));
    const outTopics = [`${prefix}leads.qualified`, `${prefix}leads.disqualified`];
    // Until every stored lead has a follow-up (a count would be reached early by duplicates).
    const answered = new Set<string>();
    const leadOf = new Map([...stored].flatMap((id) => [[followUpId(id, 'lead.qualified'), id] as const, [followUpId(id, 'lead.disqualified'), id] as const]));
    let outputs = await readUntil(
      kafka,
      outTopics,
      (rs) => {
        const lead = leadOf.get(header(rs[rs.length - 1].message, 'ce_id') ?? '');
        if (lead) answered.add(lead);
        return answered.size >= stored.size;
      },
      timeoutMs,
    );
    const more = await readUntil(kafka, outTopics, (rs) => rs.length > outputs.length, settleMs);
    if (more.length > outputs.length) outputs = more;
    // A record read twice (the reader's own group re-fetching after a rebalance) is one record: a duplicate
    // follow-up is another record (another offset) with the same event id.
    const records = new Map(outputs.map((x) => [`${x.topic}/${x.partition}/${x.message.offset}`, x] as const));
    const ids = [...records.values()].map((x) => header(x.message, 'ce_id') ?? '').filter((id) => leadOf.has(id));
    const produced = new Set(ids);
    const missing = [...stored].filter((id) => !produced.has(followUpId(id, 'lead.qualified')) && !produced.has(followUpId(id, 'lead.disqualified')));
    const duplicated = ids.length - produced.size;
    return {
      sent,
      accepted: accepted.length,
      refused: refused.length,
      refusedNot503: refused.filter(([, r]) => r.statusCode !== 503 || r.headers['retry-after'] !== '5').map(([id, r]) => `${id}: ${r.statusCode} ${r.body}`),
      stored: stored.size,
      produced: ids.length,
      lost,
      missing,
      duplicated,
      rereads: outputs.length - records.size,
      duplicates: duplicated > 0 ? await describeDuplicates(kafka, [...records.values()], inputs, leadOf) : [],
    };
  }
}

export interface FlowReport {
  sent: number;
  accepted: number;
  refused: number;
  /** Refusals that were not 503 with Retry-After: 5 (id, status, body). */
  refusedNot503: string[];
  /** Leads on leads.created (accepted, or written although the caller had already been answered 503). */
  stored: number;
  /** Follow-ups (leads.qualified or leads.disqualified) of those leads. */
  produced: number;
  /** Accepted (202) but not on leads.created. */
  lost: string[];
  /** Stored but without a follow-up. */
  missing: string[];
  duplicated: number;
  /** Follow-up records the checking reader was handed more than once (its own re-fetches, not the agents'). */
  rereads: number;
  /** One line per copy of a duplicated follow-up: where it is, which producer wrote it, how its transaction ended. */
  duplicates: string[];
}

/** What kafkajs decodes for each record besides the KafkaMessage fields (not in its typings). */
interface BatchContext {
  producerId: string;
  producerEpoch: number;
  inTransaction: boolean;
  isControlBatch?: boolean;
}
const batchOf = (m: unknown): BatchContext | undefined => (m as { batchContext?: BatchContext }).batchContext;

/**
 * For each copy of a follow-up written more than once: topic/partition@offset, the producer id and epoch
 * of its batch, whether it was in a transaction, the control record that ended that transaction on the
 * partition (read read_uncommitted: commit, abort, or none yet), and the input (leads.created) it came from.
 * Enough to tell which path wrote it: two committed transactions of different producer ids (a task
 * re-processing its input), one producer id twice (a retried send or commit), or an aborted copy the reader
 * was handed (read_committed filtering).
 */
async function describeDuplicates(kafka: Kafka, outputs: Received[], inputs: Received[], leadOf: Map<string, string>): Promise<string[]> {
  const copies = new Map<string, Received[]>();
  for (const x of outputs) {
    const id = header(x.message, 'ce_id') ?? '';
    if (!leadOf.has(id)) continue;
    copies.set(id, [...(copies.get(id) ?? []), x]);
  }
  const dups = [...copies].filter(([, xs]) => xs.length > 1);
  const lines: string[] = [];
  // The diagnosis must not hide the finding: without the markers, the copies are still listed.
  const outcomes = await transactionEnds(kafka, [...new Set(dups.flatMap(([, xs]) => xs.map((x) => x.topic)))]).catch((err: unknown) => {
    lines.push(`(transaction markers not read: ${err instanceof Error ? err.message : String(err)})`);
    return new Map<string, ControlRecord[]>();
  });
  for (const [id, xs] of dups) {
    const lead = leadOf.get(id) ?? '';
    const from = inputs.filter((x) => header(x.message, 'ce_id') === lead).map((x) => `${x.topic}/${x.partition}@${x.message.offset}`);
    lines.push(`follow-up ${id} of ${lead} (input ${from.join(', ') || 'not found'}), ${xs.length} copies:`);
    for (const x of xs) {
      const b = batchOf(x.message);
      const end = b ? outcomes.get(`${x.topic}/${x.partition}`)?.find((c) => c.producerId === String(b.producerId) && BigInt(c.offset) > BigInt(x.message.offset)) : undefined;
      lines.push(
        `  ${x.topic}/${x.partition}@${x.message.offset} producerId ${b?.producerId} epoch ${b?.producerEpoch} inTransaction ${b?.inTransaction} ` +
          `${!b?.inTransaction ? 'no transaction' : end ? `ended ${end.commit ? 'COMMIT' : 'ABORT'}@${end.offset} (epoch ${end.producerEpoch})` : 'no end marker yet'}, written ${new Date(Number(x.message.timestamp)).toISOString()}`,
      );
    }
  }
  return lines;
}

interface ControlRecord {
  offset: string;
  producerId: string;
  producerEpoch: number;
  commit: boolean;
}

/** Every transaction control record (commit/abort marker) of `topics`, per topic/partition, read read_uncommitted to the end. */
async function transactionEnds(kafka: Kafka, topics: string[], timeoutMs = 20_000): Promise<Map<string, ControlRecord[]>> {
  const found = new Map<string, ControlRecord[]>();
  if (topics.length === 0) return found;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics) for (const o of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${o.partition}`, BigInt(o.high));
  } finally {
    await admin.disconnect();
  }
  const behind = new Set([...ends].filter(([, high]) => high > 0n).map(([k]) => k));
  if (behind.size === 0) return found;
  const consumer = kafka.consumer({ groupId: unique('markers'), readUncommitted: true, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const k = `${batch.topic}/${batch.partition}`;
            // rawMessages: every record of the fetch, control records included (batch.messages has them removed).
            const raw = (batch as unknown as { rawMessages?: (KafkaMessage & { isControlRecord?: boolean })[] }).rawMessages ?? [];
            for (const m of raw) {
              const b = batchOf(m);
              if (!m.isControlRecord || !b || !m.key || m.key.length < 4) continue;
              found.set(k, [...(found.get(k) ?? []), { offset: m.offset, producerId: String(b.producerId), producerEpoch: b.producerEpoch, commit: m.key.readInt16BE(2) === 1 }]);
            }
            const last = raw.at(-1);
            if (last && BigInt(last.offset) + 1n >= (ends.get(k) ?? 0n)) behind.delete(k);
            if (behind.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  for (const list of found.values()) list.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  return found;
}

/** One line per fault: what was sent, accepted, refused, stored and produced, what was lost or duplicated. */
export function describeReport(label: string, r: FlowReport, extra = ''): string {
  return (
    `${label}: sent ${r.sent}, accepted ${r.accepted}, refused ${r.refused} (503 with Retry-After: ${r.refused - r.refusedNot503.length}), ` +
    `stored ${r.stored}, produced ${r.produced}, lost ${r.lost.length}, missing follow-ups ${r.missing.length}, duplicated ${r.duplicated}${r.rereads > 0 ? ` (reader re-fetched ${r.rereads} records)` : ''}${extra ? `; ${extra}` : ''}` +
    r.duplicates.map((l) => `\n  ${l}`).join('')
  );
}
