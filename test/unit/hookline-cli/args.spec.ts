import { DEFAULT_REPLAY_TIMEOUT_SECONDS, DEFAULT_TRACE_TIMEOUT_SECONDS, REPLAY_USAGE, DLQ_LIST_USAGE, DLQ_REDRIVE_USAGE, DLQ_SHOW_USAGE, DLQ_USAGE, EVENTS_USAGE, parseArgs, TAIL_USAGE, TRACE_USAGE, UsageError, USAGE } from '../../../tools/hookline/args';

const KNOWN_TOPICS =
  'leads.created, orders.placed, shipments.updated, webhooks.github, webhooks.stripe, webhooks.slack, webhooks.quarantine, leads.qualified, leads.disqualified, emails.requested, invoices.requested, orders.status-changed, emails.sent, emails.failed, invoices.created';

describe('hookline CLI arguments', () => {
  it.each([
    [[], USAGE],
    [['--help'], USAGE],
    [['help'], USAGE],
    [['-h'], USAGE],
    [['events'], EVENTS_USAGE],
    [['events', '--help'], EVENTS_USAGE],
    [['events', 'tail', '--help'], TAIL_USAGE],
    [['events', 'tail', 'leads.created', '-h'], TAIL_USAGE],
    [['events', 'trace', '--help'], TRACE_USAGE],
    [['dlq'], DLQ_USAGE],
    [['dlq', 'list', '--help'], DLQ_LIST_USAGE],
    [['dlq', 'show', 'lead-agent', '--help'], DLQ_SHOW_USAGE],
    [['dlq', 'redrive', '--help'], DLQ_REDRIVE_USAGE],
  ])('shows help for %j', (argv, text) => {
    expect(parseArgs(argv)).toEqual({ kind: 'help', text });
  });

  it.each([
    [
      ['events', 'tail', 'leads.created'],
      { kind: 'events-tail', options: { topics: ['leads.created'], fromBeginning: false, types: [], json: false } },
    ],
    [
      ['events', 'tail', 'leads.created', 'lead-agent.dlq', 'webhooks.billing', '--from-beginning', '--type', 'crm.lead.created', '--type=lead.qualified', '--json', '--max', '4', '--timeout=2.5'],
      {
        kind: 'events-tail',
        options: { topics: ['leads.created', 'lead-agent.dlq', 'webhooks.billing'], fromBeginning: true, types: ['crm.lead.created', 'lead.qualified'], json: true, max: 4, timeoutSeconds: 2.5 },
      },
    ],
    [
      ['events', 'tail', 'emails.requested', 'emails.requested', 'lead-agent.retry'],
      { kind: 'events-tail', options: { topics: ['emails.requested', 'lead-agent.retry'], fromBeginning: false, types: [], json: false } },
    ],
    [['events', 'trace', 'evt-1'], { kind: 'events-trace', options: { id: 'evt-1', json: false, timeoutSeconds: DEFAULT_TRACE_TIMEOUT_SECONDS } }],
    [['events', 'trace', '--json', 'evt-1', '--timeout', '30'], { kind: 'events-trace', options: { id: 'evt-1', json: true, timeoutSeconds: 30 } }],
    [['events', 'trace', '--', '-starts-with-dash'], { kind: 'events-trace', options: { id: '-starts-with-dash', json: false, timeoutSeconds: DEFAULT_TRACE_TIMEOUT_SECONDS } }],
    [['dlq', 'list', 'lead-agent'], { kind: 'dlq-list', agent: 'lead-agent', json: false }],
    [['dlq', 'list', 'lead-agent', '--json'], { kind: 'dlq-list', agent: 'lead-agent', json: true }],
    [['dlq', 'show', 'fulfillment-agent', 'evt-9'], { kind: 'dlq-show', agent: 'fulfillment-agent', id: 'evt-9', json: false }],
    [['dlq', 'redrive', 'lead-agent', '--all'], { kind: 'dlq-redrive', agent: 'lead-agent', ids: [], all: true, dryRun: false, json: false }],
    [['dlq', 'redrive', 'lead-agent', '--id', 'a', '--id=b', '--dry-run'], { kind: 'dlq-redrive', agent: 'lead-agent', ids: ['a', 'b'], all: false, dryRun: true, json: false }],
    [['dlq', 'redrive', 'lead-agent', '--id', 'a', 'b', 'c', 'a', '--json'], { kind: 'dlq-redrive', agent: 'lead-agent', ids: ['a', 'b', 'c'], all: false, dryRun: false, json: true }],
  ])('parses %j', (argv, command) => {
    expect(parseArgs(argv)).toEqual(command);
  });

  it.each([
    [['tail'], 'unknown command "tail": events tail, events trace, dlq list, dlq show, dlq redrive, replay or new agent'],
    [['events', 'follow'], 'unknown command "events follow": events tail or events trace'],
    [['dlq', 'purge', 'lead-agent'], 'unknown command "dlq purge": dlq list, dlq show or dlq redrive'],
    [['events', 'tail'], `missing <topic>: one or more of ${KNOWN_TOPICS}`],
    [['events', 'tail', 'leads'], `unknown topic "leads" (known: ${KNOWN_TOPICS}; or webhooks.<provider>, <agent>.dlq, <agent>.retry)`],
    [['events', 'tail', 'lead-agent.state'], `unknown topic "lead-agent.state" (known: ${KNOWN_TOPICS}; or webhooks.<provider>, <agent>.dlq, <agent>.retry)`],
    [['events', 'tail', 'prod.leads.created'], `unknown topic "prod.leads.created" (known: ${KNOWN_TOPICS}; or webhooks.<provider>, <agent>.dlq, <agent>.retry)`],
    [['events', 'tail', 'leads.created', '--max', '0'], '--max must be a whole number of at least 1, got "0"'],
    [['events', 'tail', 'leads.created', '--max', '-3'], '--max must be a whole number of at least 1, got "-3"'],
    [['events', 'tail', 'leads.created', '--max', '1.5'], '--max must be a whole number of at least 1, got "1.5"'],
    [['events', 'tail', 'leads.created', '--max'], '--max needs a value'],
    [['events', 'tail', 'leads.created', '--max', '2', '--max', '3'], '--max given more than once'],
    [['events', 'tail', 'leads.created', '--timeout', '0'], '--timeout must be a number of seconds above 0 (at most 604800), got "0"'],
    [['events', 'tail', 'leads.created', '--timeout', 'soon'], '--timeout must be a number of seconds above 0 (at most 604800), got "soon"'],
    [['events', 'tail', 'leads.created', '--type'], '--type needs a value'],
    [['events', 'tail', 'leads.created', '--type', '--json'], '--type needs a value'],
    [['events', 'tail', 'leads.created', '--json=yes'], '--json takes no value'],
    [['events', 'tail', 'leads.created', '--follow'], 'unknown option "--follow"'],
    [['events', 'trace'], 'missing <id> (a CloudEvent id or a provider delivery id)'],
    [['events', 'trace', 'a', 'b'], 'unexpected argument "b"'],
    [['events', 'trace', 'a', '--max', '3'], 'unknown option "--max"'],
    [['events', 'trace', 'a\u0007b'], '<id> (a CloudEvent id or a provider delivery id) must be up to 1000 characters without control characters'],
    [['dlq', 'list'], "missing <agent>: the agent's name, such as lead-agent"],
    [['dlq', 'list', 'Lead_Agent'], 'agent name must be lower-case kebab-case (like lead-agent), got "Lead_Agent"'],
    [['dlq', 'list', 'lead-agent', 'extra'], 'unexpected argument "extra"'],
    [['dlq', 'show', 'lead-agent'], 'missing <id>'],
    [['dlq', 'redrive', 'lead-agent'], 'name the events to redrive: --id <id>... or --all'],
    [['dlq', 'redrive', 'lead-agent', 'evt-1'], 'unexpected argument "evt-1": name ids with --id <id>'],
    [['dlq', 'redrive', 'lead-agent', '--all', '--id', 'a'], '--id and --all exclude each other'],
    [['dlq', 'redrive', 'lead-agent', '--id'], '--id needs a value'],
    [['dlq', 'redrive', '--all'], "missing <agent>: the agent's name, such as lead-agent"],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
  });

  describe('replay', () => {
    const now = Date.parse('2026-03-02T12:00:00.000Z');
    const base = { topic: 'leads.created', agent: 'lead-agent', dryRun: false, json: false, timeoutSeconds: DEFAULT_REPLAY_TIMEOUT_SECONDS };
    it.each([
      [['replay', '--help'], { kind: 'help', text: REPLAY_USAGE }],
      [['replay', 'leads.created', '--since', '2h', '--into', 'lead-agent'], { kind: 'replay', options: { ...base, sinceMs: now - 2 * 3_600_000 } }],
      [
        ['replay', 'orders.placed', '--since=2026-03-01T00:00:00Z', '--until', '2026-03-02', '--key', 'ord-1', '--into', 'fulfillment-agent', '--shadow', '--dry-run', '--json', '--timeout', '30'],
        {
          kind: 'replay',
          options: { ...base, topic: 'orders.placed', agent: 'fulfillment-agent', sinceMs: Date.parse('2026-03-01T00:00:00Z'), untilMs: Date.parse('2026-03-02T00:00:00Z'), key: 'ord-1', shadowPrefix: 'shadow.', dryRun: true, json: true, timeoutSeconds: 30 },
        },
      ],
      [['replay', 'leads.created', '--since', '90s', '--until', '500ms', '--into', 'lead-agent', '--shadow-prefix', 'try-v2-'], { kind: 'replay', options: { ...base, sinceMs: now - 90_000, untilMs: now - 500, shadowPrefix: 'try-v2-' } }],
      [['replay', 'leads.created', '--since', '7d', '--into', 'lead-agent'], { kind: 'replay', options: { ...base, sinceMs: now - 7 * 86_400_000 } }],
    ])('parses %j', (argv, command) => {
      expect(parseArgs(argv, now)).toEqual(command);
    });

    it.each([
      [['replay'], 'missing <topic>: one of ' + KNOWN_TOPICS],
      [['replay', 'leads.created', '--into', 'lead-agent'], 'missing --since <duration|time>: where the range starts'],
      [['replay', 'leads.created', '--since', '1h'], 'missing --into <agent>: the agent to feed'],
      [['replay', 'leads.created', '--since', '5x', '--into', 'lead-agent'], '--since must be a duration back from now (90s, 15m, 2h, 7d) or a time (2026-03-02T09:00:00Z), got "5x"'],
      [['replay', 'leads.created', '--since', 'yesterday', '--into', 'lead-agent'], '--since must be a duration back from now (90s, 15m, 2h, 7d) or a time (2026-03-02T09:00:00Z), got "yesterday"'],
      [['replay', 'leads.created', '--since', '2026-13-45', '--into', 'lead-agent'], '--since must be a duration back from now (90s, 15m, 2h, 7d) or a time (2026-03-02T09:00:00Z), got "2026-13-45"'],
      [['replay', 'leads.created', '--since', '2027-01-01', '--into', 'lead-agent'], '--since is in the future (2027-01-01T00:00:00.000Z)'],
      [['replay', 'leads.created', '--since', '1h', '--until', '2h', '--into', 'lead-agent'], '--until (2026-03-02T10:00:00.000Z) must be after --since (2026-03-02T11:00:00.000Z)'],
      [['replay', 'leads.created', '--since', '1h', '--into', 'Lead_Agent'], 'agent name must be lower-case kebab-case (like lead-agent), got "Lead_Agent"'],
      [['replay', 'leads', '--since', '1h', '--into', 'lead-agent'], `unknown topic "leads" (known: ${KNOWN_TOPICS}; or webhooks.<provider>, <agent>.dlq, <agent>.retry)`],
      [['replay', 'leads.created', '--since', '1h', '--into', 'lead-agent', '--shadow-prefix', 'shadow'], '--shadow-prefix must be letters, digits, \'.\', \'_\' or \'-\' ending in \'.\' or \'-\' (like "shadow."), got "shadow"'],
      [['replay', 'leads.created', 'orders.placed', '--since', '1h', '--into', 'lead-agent'], 'unexpected argument "orders.placed"'],
    ])('refuses %j', (argv, message) => {
      expect(() => parseArgs(argv, now)).toThrow(new UsageError(message));
    });
  });
});
