import type { Admin, Kafka } from 'kafkajs';
import { readDeadLetters, redriveDeadLetters, type DeadLetter, type RedriveReport } from '@app/agent';
import { AppError, headerString } from '@app/common';
import { physicalTopic } from '@app/contracts';
import {
  agentsWithDeadLetters,
  consumerLag,
  decodeRecord,
  eventMatches,
  eventTime,
  eventTopics,
  previewOf,
  readEvents,
  readTraceIndex,
  type EventQuery,
  type EventRecord,
  type PartitionLag,
  type Trace,
} from '@app/kafka';
import type { AgentEndpoint, ConsoleConfig } from './config';
import { probeHealth, type AgentHealth } from './health-probe';
import type { RedriveRequest } from './input';

export interface RecentEvents {
  /** The topics read (logical names). */
  topics: string[];
  query: EventQuery;
  /** Newest first, at most `limit`. */
  events: EventRecord[];
  /** How many records were read and searched. */
  scanned: number;
  /** False when the read stopped at its deadline before the end of every partition. */
  complete: boolean;
}

export interface DeadLetterView {
  id?: string;
  partition: number;
  offset: string;
  fromTopic: string;
  reason: string;
  error?: string;
  attempts: number;
  time?: string;
  /** How many times this copy had been redriven before it was dead-lettered again (0: never). */
  redrive: number;
  key?: string;
  type?: string;
  preview: string;
}

export interface AgentSummary {
  name: string;
  healthUrl?: string;
  health: AgentHealth;
  /** Sum over the partitions the agent's group committed on. */
  lag: number;
  deadLetters: number;
}

export interface AgentDetail extends AgentSummary {
  lagByPartition: PartitionLag[];
  deadLetterRecords: DeadLetterView[];
}

let reads = 0;

/**
 * What the console shows, read from Kafka when asked (nothing is cached: a page is as fresh as its
 * request). Framework-free; the controllers turn its answers into pages and JSON.
 */
export class ConsoleReader {
  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly prefix: string,
    private readonly config: Pick<ConsoleConfig, 'agents' | 'recentOffsets' | 'readTimeoutMs' | 'healthTimeoutMs'>,
  ) {}

  private async clusterTopics(): Promise<string[]> {
    try {
      // connect() returns at once when connected, and reconnects after a broker outage.
      await this.admin.connect();
      return await this.admin.listTopics();
    } catch {
      throw new AppError('KAFKA_UNREADABLE');
    }
  }

  private group(): string {
    return `${this.prefix}hookline-console-${process.pid}-${Date.now().toString(36)}-${++reads}`;
  }

  /** Event topics under the prefix (not the agents' dead-letter topics: those are on the agent pages). */
  async topics(): Promise<string[]> {
    return eventTopics(this.prefix, await this.clusterTopics(), { deadLetters: false });
  }

  /** The newest records of one topic (or of every event topic), searched. */
  async recent(topic: string | undefined, query: EventQuery, limit: number): Promise<RecentEvents> {
    const known = await this.topics();
    if (topic !== undefined && !known.includes(topic)) throw new AppError('UNKNOWN_TOPIC', `No event topic "${topic.slice(0, 100)}" on the cluster (known: ${known.join(', ') || 'none'}).`);
    const topics = topic === undefined ? known : [topic];
    const found: EventRecord[] = [];
    let scanned = 0;
    const result = await this.read(() =>
      readEvents(
        this.kafka,
        this.prefix,
        topics,
        (t, partition, message) => {
          scanned++;
          const rec = decodeRecord(t, partition, message);
          if (eventMatches(rec, query)) found.push(rec);
        },
        { deadlineMs: this.config.readTimeoutMs, groupId: this.group(), lastPerPartition: this.config.recentOffsets },
      ),
    );
    found.sort((a, b) => eventTime(b).localeCompare(eventTime(a)) || a.topic.localeCompare(b.topic) || b.partition - a.partition || Number(BigInt(b.offset) - BigInt(a.offset)));
    return { topics, query, events: found.slice(0, limit), scanned, complete: result.complete };
  }

  /** The event with this CloudEvent id (or provider delivery id) and everything it caused. */
  async trace(id: string): Promise<Trace & { complete: boolean }> {
    const topics = eventTopics(this.prefix, await this.clusterTopics());
    const result = await this.read(() => readTraceIndex(this.kafka, this.prefix, topics, { deadlineMs: this.config.readTimeoutMs, groupId: this.group() }));
    const trace = result.index.trace(id);
    if (trace.roots.length === 0) throw new AppError('EVENT_NOT_FOUND', `No event with id or delivery id "${id.slice(0, 100)}" in ${topics.length} topics.`);
    return { ...trace, complete: result.complete };
  }

  /** The configured agents, then any other agent with a dead-letter topic. */
  async agentEndpoints(): Promise<Array<AgentEndpoint | { name: string; healthUrl?: undefined }>> {
    const configured = new Set(this.config.agents.map((a) => a.name));
    const others = agentsWithDeadLetters(this.prefix, await this.clusterTopics()).filter((a) => !configured.has(a));
    return [...this.config.agents, ...others.map((name) => ({ name }))];
  }

  async agents(): Promise<AgentSummary[]> {
    const all = await this.agentEndpoints();
    return Promise.all(all.map(async (a) => summary(await this.agentDetail(a))));
  }

  async agent(name: string): Promise<AgentDetail> {
    const endpoint = (await this.agentEndpoints()).find((a) => a.name === name);
    if (!endpoint) throw new AppError('UNKNOWN_AGENT', `No agent "${name.slice(0, 100)}": configure it in CONSOLE_AGENTS, or it has no dead-letter topic.`);
    return this.agentDetail(endpoint);
  }

  async redrive(agent: string, request: RedriveRequest): Promise<RedriveReport> {
    await this.agent(agent);
    const report = await this.read(() => redriveDeadLetters(this.kafka, { agent, topicPrefix: this.prefix, ...request, requireAll: true }));
    if (report.notFound.length > 0) throw new AppError('EVENT_NOT_FOUND', `Not on ${agent}.dlq: ${report.notFound.slice(0, 10).join(', ').slice(0, 300)}; nothing was redriven.`);
    return report;
  }

  private async agentDetail(endpoint: { name: string; healthUrl?: string }): Promise<AgentDetail> {
    const physical = await this.clusterTopics();
    const hasDlq = physical.includes(physicalTopic(this.prefix, `${endpoint.name}.dlq`));
    const candidates = [...eventTopics(this.prefix, physical, { deadLetters: false }), `${endpoint.name}.retry`].map((t) => physicalTopic(this.prefix, t)).filter((t) => physical.includes(t));
    const [health, lagByPartition, letters] = await Promise.all([
      endpoint.healthUrl ? probeHealth(endpoint.healthUrl, this.config.healthTimeoutMs) : Promise.resolve<AgentHealth>({ status: 'unknown', detail: 'no health URL in CONSOLE_AGENTS' }),
      this.read(() => consumerLag(this.admin, physicalTopic(this.prefix, endpoint.name), candidates)),
      hasDlq ? this.read(() => readDeadLetters(this.kafka, endpoint.name, this.prefix)) : Promise.resolve<DeadLetter[]>([]),
    ]);
    const prefix = this.prefix;
    return {
      name: endpoint.name,
      healthUrl: endpoint.healthUrl,
      health,
      lag: lagByPartition.reduce((n, p) => n + p.lag, 0),
      lagByPartition: lagByPartition.map((p) => ({ ...p, topic: p.topic.startsWith(prefix) ? p.topic.slice(prefix.length) : p.topic })),
      deadLetters: letters.length,
      deadLetterRecords: letters.map(view).reverse(),
    };
  }

  /** Kafka errors become KAFKA_UNREADABLE (503, retryable); our own errors pass. */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('KAFKA_UNREADABLE');
    }
  }
}

function summary(d: AgentDetail): AgentSummary {
  return { name: d.name, healthUrl: d.healthUrl, health: d.health, lag: d.lag, deadLetters: d.deadLetters };
}

function view(d: DeadLetter): DeadLetterView {
  return {
    id: d.id,
    partition: d.partition,
    offset: d.offset,
    fromTopic: d.topic,
    reason: d.reason,
    error: d.error,
    attempts: d.attempts,
    time: d.time,
    redrive: d.redrive,
    key: d.key === null ? undefined : d.key.toString(),
    type: headerString(d.headers, 'ce_type'),
    preview: previewOf(d.value, 160),
  };
}
