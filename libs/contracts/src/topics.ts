/**
 * The one registry of topic names and their settings. No other file spells a topic name: apps, agents,
 * scripts and tests all go through `Topics`, `agentTopics` and `topicSpecs`.
 *
 * Entity topics (leads, orders, shipments) share one partition count so that records keyed by the same
 * entity land on the same partition number in every topic, and an agent's state changelog, partitioned
 * alike, keeps one entity's state next to its events.
 */
export const ENTITY_PARTITIONS = 6;
const DAY_MS = 24 * 60 * 60 * 1000;

export const Topics = {
  LeadsCreated: 'leads.created',
  OrdersPlaced: 'orders.placed',
  ShipmentsUpdated: 'shipments.updated',
  WebhooksGithub: 'webhooks.github',
  WebhooksStripe: 'webhooks.stripe',
  WebhooksSlack: 'webhooks.slack',
  WebhooksQuarantine: 'webhooks.quarantine',
  LeadsQualified: 'leads.qualified',
  LeadsDisqualified: 'leads.disqualified',
  EmailsRequested: 'emails.requested',
  InvoicesRequested: 'invoices.requested',
  OrdersStatusChanged: 'orders.status-changed',
  EmailsSent: 'emails.sent',
  EmailsFailed: 'emails.failed',
  InvoicesCreated: 'invoices.created',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  /** Logical name; the physical name is `prefix + name` (see `physicalTopic`). */
  name: string;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** Retention for `delete` topics; omitted means the broker default. */
  retentionMs?: number;
  description: string;
}

const entity = (description: string, retentionDays = 7): Omit<TopicSpec, 'name'> => ({
  partitions: ENTITY_PARTITIONS,
  cleanupPolicy: 'delete',
  retentionMs: retentionDays * DAY_MS,
  description,
});

const SPECS: Record<TopicName, Omit<TopicSpec, 'name'>> = {
  [Topics.LeadsCreated]: entity('New CRM leads (canonical Lead), keyed by normalized email'),
  [Topics.OrdersPlaced]: entity('New shop orders (canonical Order), keyed by order id'),
  [Topics.ShipmentsUpdated]: entity('Carrier shipment updates (canonical ShipmentUpdate), keyed by order id'),
  [Topics.WebhooksGithub]: entity('GitHub deliveries, passed through, keyed by delivery id'),
  [Topics.WebhooksStripe]: entity('Stripe events, passed through, keyed by event id'),
  [Topics.WebhooksSlack]: entity('Slack events, passed through, keyed by event id'),
  [Topics.WebhooksQuarantine]: entity('Authentic webhooks that could not be mapped, with the reason', 30),
  [Topics.LeadsQualified]: entity('Leads the lead agent qualified, with score, reasons and owner'),
  [Topics.LeadsDisqualified]: entity('Leads the lead agent disqualified, with score and reasons'),
  [Topics.EmailsRequested]: entity('Requests to send a templated email'),
  [Topics.InvoicesRequested]: entity('Requests to raise an invoice for a shipped order'),
  [Topics.OrdersStatusChanged]: entity('Every order status transition'),
  [Topics.EmailsSent]: entity('Emails the mailer handed to the SMTP server, with their Message-ID'),
  [Topics.EmailsFailed]: entity('Emails the SMTP server refused for good (5xx), with its reply'),
  [Topics.InvoicesCreated]: entity('Invoices the invoicer raised in the billing API, keyed by order id'),
};

export function topicSpecs(): TopicSpec[] {
  return (Object.keys(SPECS) as TopicName[]).map((name) => ({ name, ...SPECS[name] }));
}

export function topicSpec(name: TopicName): TopicSpec {
  return { name, ...SPECS[name] };
}

/** The topic of a provider declared only in configuration (`webhooks.<provider>`), set up like the built-in ones. */
export function providerTopicSpec(name: string): TopicSpec {
  return { name, ...entity(`Webhooks of ${name.replace(/^webhooks\./, '')}, passed through`) };
}

export const DEFAULT_DEDUP_WINDOW_MS = 72 * 60 * 60 * 1000;

export interface AgentTopicSpecs {
  deadLetter: TopicSpec;
  /**
   * Records waiting for another attempt, and the records of their keys queued behind them, partitioned like
   * the agent's inputs; the agent reads it back as one more input.
   */
  retry: TopicSpec;
  /** Ids of processed events, one record per transaction; kept as long as the dedup window. */
  processed: TopicSpec;
  /** Keyed state of the agent's handlers, compacted to the latest value per key. */
  state: TopicSpec;
}

/**
 * Topics every agent owns. `processed` and `state` are partitioned like the agent's inputs: partition p of
 * each holds what the instance owning input partition p needs to restore.
 */
export function agentTopics(agent: string, dedupWindowMs = DEFAULT_DEDUP_WINDOW_MS): AgentTopicSpecs {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(agent)) throw new Error(`agent name must be lower-case kebab-case, got "${agent}"`);
  return {
    deadLetter: { name: `${agent}.dlq`, ...entity(`Records the ${agent} could not process, with the reason`, 30) },
    retry: { name: `${agent}.retry`, ...entity(`Records the ${agent} will attempt again, with their attempt count and due time`) },
    processed: {
      name: `${agent}.processed`,
      partitions: ENTITY_PARTITIONS,
      cleanupPolicy: 'delete',
      // A day beyond the window: a record is read back only while its ids are still inside the window.
      retentionMs: dedupWindowMs + DAY_MS,
      description: `Ids of events the ${agent} processed (deduplication), partitioned like its inputs`,
    },
    state: {
      name: `${agent}.state`,
      partitions: ENTITY_PARTITIONS,
      cleanupPolicy: 'compact',
      description: `Keyed state of the ${agent}, partitioned like its inputs`,
    },
  };
}

/** The agent's own topics as a list, for ensureTopics. */
export function agentTopicList(agent: string, dedupWindowMs = DEFAULT_DEDUP_WINDOW_MS): TopicSpec[] {
  const t = agentTopics(agent, dedupWindowMs);
  return [t.deadLetter, t.retry, t.processed, t.state];
}

export function physicalTopic(prefix: string, name: string): string {
  return `${prefix}${name}`;
}
