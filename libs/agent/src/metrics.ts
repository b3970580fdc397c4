import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class AgentMetrics {
  readonly processed: Counter;
  readonly duplicates: Counter;
  readonly deadLettered: Counter;
  readonly retries: Counter;
  readonly stateExpired: Counter;
  readonly effects: Counter<'outcome'>;
  readonly handlerSeconds: Histogram;
  readonly transactionSeconds: Histogram;
  readonly transactionRecords: Histogram;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly rememberedIds: Gauge;
  readonly restoreSeconds: Histogram;

  constructor(registry: Registry) {
    const r = [registry];
    this.processed = new Counter({ name: 'hookline_agent_processed_total', help: 'Input events whose handler succeeded', registers: r });
    this.duplicates = new Counter({ name: 'hookline_agent_duplicates_skipped_total', help: 'Input events skipped as already processed', registers: r });
    this.deadLettered = new Counter({ name: 'hookline_agent_dead_lettered_total', help: 'Input records sent to the dead-letter topic', registers: r });
    this.retries = new Counter({ name: 'hookline_agent_handler_retries_total', help: 'Handler attempts that failed and were retried', registers: r });
    this.stateExpired = new Counter({ name: 'hookline_agent_state_expired_total', help: 'Keyed state entries deleted after STATE_TTL_DAYS without a write', registers: r });
    this.effects = new Counter({
      name: 'hookline_agent_effects_total',
      help: 'Effects of committed attempts: run (the function was called) or replayed (its recorded result returned)',
      labelNames: ['outcome'],
      registers: r,
    });
    this.handlerSeconds = new Histogram({
      name: 'hookline_agent_handler_seconds',
      help: 'Handler run time per attempt',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: r,
    });
    this.transactionSeconds = new Histogram({
      name: 'hookline_agent_transaction_seconds',
      help: 'Time to write and commit one transaction (follow-ups, ids, state, offsets)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    });
    this.transactionRecords = new Histogram({
      name: 'hookline_agent_transaction_input_records',
      help: 'Input records per transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: r,
    });
    this.lag = new Gauge({ name: 'hookline_agent_consumer_lag', help: 'Records behind the end of each input partition', labelNames: ['topic', 'partition'], registers: r });
    this.rememberedIds = new Gauge({ name: 'hookline_agent_remembered_ids', help: 'Event ids held for deduplication', registers: r });
    this.restoreSeconds = new Histogram({ name: 'hookline_agent_restore_seconds', help: 'Time to restore newly assigned tasks', buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60], registers: r });
  }
}
