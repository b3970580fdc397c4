import type { KafkaMessage } from 'kafkajs';
import type { DeadLetter } from '@app/agent';
import { toKafkaMessage } from '@app/common';
import { main, type Io } from '../../../tools/hookline/cli';
import { dlqListText, dlqShowText, formatDelay, progressBar, redriveText, replayText, retryHistoryLines, table, tailJson, tailLine, traceText } from '../../../tools/hookline/format';
import { isConnectionError } from '../../../tools/hookline/kafka';
import { buildTrace, decodeRecord, previewOf, printable, type EventRecord, type TraceInput } from '@app/kafka';

function message(headers: Record<string, string>, value: string | null, key: string | null = 'k-1', offset = '7'): KafkaMessage {
  return { key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), headers, offset, timestamp: String(Date.parse('2026-03-02T09:15:05.000Z')), attributes: 0 };
}

const ce = (id: string, extra: Record<string, string> = {}) => ({ ce_specversion: '1.0', ce_id: id, ce_source: '/webhooks/crm', ce_type: 'crm.lead.created', ce_time: '2026-03-02T09:15:00.000Z', ...extra });

describe('hookline: reading a record', () => {
  it('decodes a CloudEvent with its causation and delivery ids', () => {
    const m = toKafkaMessage({ id: 'e1', source: '/agents/lead-agent', type: 'lead.qualified', time: '2026-03-02T09:15:00.184Z', subject: 'ana@acme.io', data: { score: 80 }, extensions: { causationid: 'e0', deliveryid: 'd0' } }, 'ana@acme.io');
    const rec = decodeRecord('leads.qualified', 3, { ...message({}, null), ...m, key: Buffer.from('ana@acme.io'), value: Buffer.from(String(m.value)), offset: '12' } as KafkaMessage);
    expect(rec).toEqual({
      topic: 'leads.qualified',
      partition: 3,
      offset: '12',
      timestamp: '2026-03-02T09:15:05.000Z',
      key: 'ana@acme.io',
      id: 'e1',
      type: 'lead.qualified',
      source: '/agents/lead-agent',
      time: '2026-03-02T09:15:00.184Z',
      subject: 'ana@acme.io',
      extensions: { causationid: 'e0', deliveryid: 'd0' },
      causationId: 'e0',
      deliveryId: 'd0',
      data: { score: 80 },
      preview: '{"score":80}',
    });
  });

  it.each([
    [{ ce_id: 'x' }, '{"a":1}', 'missing header ce_specversion', { a: 1 }],
    [ce('x'), 'not json', 'record value is not valid JSON', 'not json'],
    [{}, null, 'missing header ce_specversion', null],
  ])('keeps a record that is not a CloudEvent (%j, %j), with the reason', (headers, value, reason, data) => {
    const rec = decodeRecord('leads.created', 0, message(headers, value));
    expect(rec.notCloudEvent).toBe(reason);
    expect(rec.data).toEqual(data);
  });

  it('reads the dead-letter headers of a record on <agent>.dlq', () => {
    const rec = decodeRecord('lead-agent.dlq', 1, message({ ...ce('e1'), dlq_reason: 'retries exhausted', dlq_attempts: '5', dlq_topic: 'leads.created', dlq_time: '2026-03-02T09:16:00.000Z', dlq_error: 'boom' }, '{}'));
    expect(rec.deadLetter).toEqual({ agent: 'lead-agent', reason: 'retries exhausted', error: 'boom', attempts: 5, fromTopic: 'leads.created', time: '2026-03-02T09:16:00.000Z' });
  });

  it.each([
    ['{"b": 2,\n "a": [1, 2]}', '{"b":2,"a":[1,2]}'],
    ['plain\ttext\u0000', 'plain\\ttext\\u0000'],
    [`{"text":"${'x'.repeat(100)}"}`, `{"text":"${'x'.repeat(70)}…`],
    [null, '(no value)'],
  ])('previews %j as %j (one line, at most 80 characters)', (value, preview) => {
    expect(previewOf(value)).toBe(preview);
    expect([...previewOf(value)].length).toBeLessThanOrEqual(80);
  });

  it('escapes control characters that could move a terminal cursor', () => {
    expect(printable('a\x1b[2Jb\r\nc\u2028')).toBe('a\\u001b[2Jb\\u000d\\nc\\u2028');
  });
});

const rec = (over: Partial<EventRecord>): EventRecord => ({ topic: 'leads.created', partition: 2, offset: '5', timestamp: '2026-03-02T09:15:05.000Z', extensions: {}, preview: '{}', ...over });

describe('hookline: events tail lines', () => {
  it.each([
    [
      rec({ id: 'e1', type: 'crm.lead.created', time: '2026-03-02T09:15:00.000Z', subject: 'ana@acme.io', key: 'ana@acme.io', preview: '{"crmId":"c1"}' }),
      '2026-03-02T09:15:00.000Z  leads.created/2/5  crm.lead.created  id=e1  subject=ana@acme.io  key=ana@acme.io  cause=-  {"crmId":"c1"}',
    ],
    [
      rec({ topic: 'emails.requested', id: 'e1/welcome', type: 'email.requested', time: '2026-03-02T09:15:00.191Z', causationId: 'e1', preview: '{"template":"welcome"}' }),
      '2026-03-02T09:15:00.191Z  emails.requested/2/5  email.requested  id=e1/welcome  subject=-  key=-  cause=e1  {"template":"welcome"}',
    ],
    [
      rec({ notCloudEvent: 'missing header ce_specversion', preview: 'hello' }),
      '2026-03-02T09:15:05.000Z  leads.created/2/5  -  id=-  subject=-  key=-  cause=-  (not a CloudEvent: missing header ce_specversion)  hello',
    ],
    [
      rec({ id: 'e\x1b[31m', type: 't', key: `${'k'.repeat(70)}` }),
      `2026-03-02T09:15:05.000Z  leads.created/2/5  t  id=e\\u001b[31m  subject=-  key=${'k'.repeat(59)}…  cause=-  {}`,
    ],
  ])('prints %j on one line', (r, line) => {
    expect(tailLine(r)).toBe(line);
  });

  it('prints one JSON object per event with its attributes and data', () => {
    const r = rec({ id: 'e1', type: 'lead.qualified', source: '/agents/lead-agent', time: '2026-03-02T09:15:00.184Z', causationId: 'e0', extensions: { causationid: 'e0' }, data: { score: 80 } });
    expect(JSON.parse(tailJson(r))).toEqual({
      time: '2026-03-02T09:15:00.184Z',
      topic: 'leads.created',
      partition: 2,
      offset: '5',
      timestamp: '2026-03-02T09:15:05.000Z',
      key: null,
      id: 'e1',
      type: 'lead.qualified',
      source: '/agents/lead-agent',
      subject: null,
      causationid: 'e0',
      extensions: { causationid: 'e0' },
      data: { score: 80 },
    });
  });
});

describe('hookline: events trace', () => {
  const at = (ms: number) => new Date(Date.parse('2026-03-02T09:15:00.000Z') + ms).toISOString();
  const input = (id: string, topic: string, ms: number, over: Partial<TraceInput> = {}): TraceInput => ({ id, topic, partition: 1, offset: '0', timestamp: at(ms), time: at(ms), preview: '{}', ...over });
  const records: TraceInput[] = [
    input('L', 'leads.created', 0, { type: 'crm.lead.created', deliveryId: 'dlv-1' }),
    input('L', 'leads.created', 3000, { type: 'crm.lead.created', deliveryId: 'dlv-1', offset: '1' }), // the provider sent it twice
    input('L/q', 'leads.qualified', 184, { type: 'lead.qualified', causationId: 'L' }),
    input('L/w', 'emails.requested', 191, { type: 'email.requested', causationId: 'L' }),
    input('L/q/n', 'emails.requested', 1422, { type: 'email.requested', causationId: 'L/q', offset: '1' }),
    input('L/q/n', 'mail-agent.dlq', 1422, { type: 'email.requested', causationId: 'L/q', deadLetter: { agent: 'mail-agent', reason: 'rejected by handler', error: 'no such template', attempts: 1, time: at(1500) } }),
    input('other', 'leads.created', 50, { type: 'crm.lead.created' }),
    input('loop', 'leads.created', 60, { causationId: 'loop' }),
  ];

  it.each([['L'], ['dlv-1']])('builds the tree of %s: every follow-up through ce_causationid, with each hop\'s delay', (query) => {
    const trace = buildTrace(records, query);
    expect([trace.events, trace.records]).toEqual([4, 6]);
    const [root] = trace.roots;
    expect(root.records.map((r) => `${r.topic} ${r.offset}`)).toEqual(['leads.created 0', 'leads.created 1']);
    expect(root.children.map((c) => [c.id, c.delayMs, c.children.map((g) => [g.id, g.delayMs])])).toEqual([
      ['L/q', 184, [['L/q/n', 1238]]],
      ['L/w', 191, []],
    ]);
  });

  it('prints the tree with copies and dead letters beneath their event', () => {
    expect(traceText(buildTrace(records, 'L'), 13)).toEqual([
      'trace L: 4 events, 6 records (13 topics read)',
      'L  crm.lead.created  leads.created 1/0  2026-03-02T09:15:00.000Z',
      '│  also leads.created 1/1  2026-03-02T09:15:03.000Z',
      '├─ L/q  lead.qualified  leads.qualified 1/0  2026-03-02T09:15:00.184Z  +184 ms',
      '│  └─ L/q/n  email.requested  emails.requested 1/1  2026-03-02T09:15:01.422Z  +1.24 s',
      '│        mail-agent.dlq 1/0  dead-lettered by mail-agent 2026-03-02T09:15:01.500Z: rejected by handler after 1 attempt: no such template',
      '└─ L/w  email.requested  emails.requested 1/0  2026-03-02T09:15:00.191Z  +191 ms',
    ]);
  });

  it('finds nothing for an unknown id, and stops at a record that names itself as its cause', () => {
    expect(buildTrace(records, 'nope')).toEqual({ query: 'nope', roots: [], events: 0, records: 0 });
    expect(traceText(buildTrace(records, 'loop'), 1)).toEqual(['trace loop: 1 event, 1 record (1 topics read)', 'loop  -  leads.created 1/0  2026-03-02T09:15:00.060Z']);
  });

  // A shop order as the stack writes it: the fulfillment agent's follow-ups are caused by the order; the
  // carrier's webhooks carry the order event's id as their causation (the reference it echoes), and the
  // agent's follow-ups of those are caused by them. The carrier sent `shipped` twice (one webhook-id).
  const order: TraceInput[] = [
    input('wh-9', 'orders.placed', 0, { type: 'shop.orders/create', deliveryId: 'dlv-9', key: '4711' }),
    input('st-placed', 'orders.status-changed', 40, { type: 'order.status-changed', causationId: 'wh-9' }),
    input('st-dispatched', 'orders.status-changed', 40, { type: 'order.status-changed', causationId: 'wh-9', offset: '1' }),
    input('msg_s', 'shipments.updated', 1100, { type: 'logistics.shipment.shipped', deliveryId: 'msg_s', causationId: 'wh-9' }),
    input('msg_s', 'shipments.updated', 1120, { type: 'logistics.shipment.shipped', deliveryId: 'msg_s', causationId: 'wh-9', offset: '1' }),
    input('st-shipped', 'orders.status-changed', 1150, { type: 'order.status-changed', causationId: 'msg_s', offset: '2' }),
    input('mail', 'emails.requested', 1150, { type: 'email.requested', causationId: 'msg_s' }),
    input('msg_d', 'shipments.updated', 3100, { type: 'logistics.shipment.delivered', deliveryId: 'msg_d', causationId: 'wh-9', offset: '2' }),
    input('st-delivered', 'orders.status-changed', 3160, { type: 'order.status-changed', causationId: 'msg_d', offset: '3' }),
    input('msg_other', 'shipments.updated', 2000, { type: 'logistics.shipment.shipped', causationId: 'wh-other', offset: '3' }),
  ];

  it.each([['wh-9'], ['dlv-9']])('joins the carrier\'s webhooks to the order whose id they echo (trace of %s)', (query) => {
    expect(traceText(buildTrace(order, query), 13)).toEqual([
      `trace ${query}: 8 events, 9 records (13 topics read)`,
      'wh-9  shop.orders/create  orders.placed 1/0  2026-03-02T09:15:00.000Z',
      '├─ st-dispatched  order.status-changed  orders.status-changed 1/1  2026-03-02T09:15:00.040Z  +40 ms',
      '├─ st-placed  order.status-changed  orders.status-changed 1/0  2026-03-02T09:15:00.040Z  +40 ms',
      '├─ msg_s  logistics.shipment.shipped  shipments.updated 1/0  2026-03-02T09:15:01.100Z  +1.10 s',
      '│  │  also shipments.updated 1/1  2026-03-02T09:15:01.120Z',
      '│  ├─ mail  email.requested  emails.requested 1/0  2026-03-02T09:15:01.150Z  +50 ms',
      '│  └─ st-shipped  order.status-changed  orders.status-changed 1/2  2026-03-02T09:15:01.150Z  +50 ms',
      '└─ msg_d  logistics.shipment.delivered  shipments.updated 1/2  2026-03-02T09:15:03.100Z  +3.10 s',
      '   └─ st-delivered  order.status-changed  orders.status-changed 1/3  2026-03-02T09:15:03.160Z  +60 ms',
    ]);
  });

  it('traces a shipment update down to its own follow-ups, not its order\'s', () => {
    const trace = buildTrace(order, 'msg_s');
    expect([trace.events, trace.records]).toEqual([3, 4]);
    expect(trace.roots.map((r) => [r.id, r.delayMs, r.children.map((c) => c.id)])).toEqual([['msg_s', undefined, ['mail', 'st-shipped']]]);
  });

  it.each([
    [0, '+0 ms'],
    [184, '+184 ms'],
    [1238, '+1.24 s'],
    [-40, '-40 ms'],
    [185_000, '+3m05s'],
    [7_440_000, '+2h04m'],
  ])('writes a delay of %d ms as %s', (ms, text) => {
    expect(formatDelay(ms)).toBe(text);
  });
});

describe('hookline: dlq output', () => {
  const letter = (over: Partial<DeadLetter> = {}): DeadLetter => ({
    id: 'lead-7',
    partition: 4,
    offset: '0',
    topic: 'leads.created',
    reason: 'retries exhausted',
    error: 'roster service answered 503',
    attempts: 3,
    time: '2026-03-02T09:15:02.300Z',
    redrive: 0,
    key: Buffer.from('bad@acme.io'),
    value: Buffer.from('{"crmId":"c7"}'),
    headers: { ce_id: 'lead-7', retry_history: JSON.stringify([{ attempt: 1, at: '2026-03-02T09:15:01.400Z', error: 'roster service answered 503' }]), dlq_reason: 'retries exhausted' },
    ...over,
  });

  it('lists dead letters in aligned columns, errors shortened', () => {
    expect(dlqListText([letter(), letter({ id: undefined, reason: 'invalid payload', attempts: 0, error: `bad ${'x'.repeat(80)}`, offset: '12' })])).toEqual([
      'ID      TIME                      REASON             ATTEMPTS  TOPIC          PARTITION/OFFSET  ERROR',
      'lead-7  2026-03-02T09:15:02.300Z  retries exhausted  3         leads.created  4/0               roster service answered 503',
      `-       2026-03-02T09:15:02.300Z  invalid payload    0         leads.created  4/12              bad ${'x'.repeat(55)}…`,
    ]);
  });

  it('pads columns by characters, not bytes', () => {
    expect(table(['A', 'B'], [['é', 'x'], ['ab', 'y']])).toEqual(['A   B', 'é   x', 'ab  y']);
  });

  it('shows every header, the retry history as a list, the key and the data', () => {
    expect(dlqShowText(letter(), 0, 1, 'lead-agent')).toEqual([
      'dead letter 1 of 1: lead-agent.dlq partition 4 offset 0',
      'headers:',
      '  ce_id          lead-7',
      '  dlq_reason     retries exhausted',
      '  retry_history:',
      '    attempt 1 at 2026-03-02T09:15:01.400Z: roster service answered 503',
      'key: bad@acme.io',
      'data:',
      '  {',
      '    "crmId": "c7"',
      '  }',
    ]);
  });

  it.each([
    ['[]', ['(none)']],
    ['not json', ['not json']],
    ['{"attempt":1}', ['{"attempt":1}']],
    ['[{"attempt":2,"at":"t","error":"e"},{}]', ['attempt 2 at t: e', 'attempt ? at ?: ']],
  ])('prints retry_history %j', (text, lines) => {
    expect(retryHistoryLines(text)).toEqual(lines);
  });

  it.each([
    [
      { redriven: [{ id: 'a', redrive: 1, partition: 2, fromOffset: '9' }], notFound: [], dryRun: false },
      ['redrove a (redrive 1) to lead-agent.retry partition 2, from lead-agent.dlq offset 9', '1 event redriven'],
    ],
    [
      { redriven: [{ id: 'a', redrive: 2, partition: 2, fromOffset: '9' }], notFound: ['b'], dryRun: true },
      ['would redrive a (redrive 2) to lead-agent.retry partition 2, from lead-agent.dlq offset 9', 'not found: b is not on lead-agent.dlq', 'dry run: 1 event would be redriven, 1 not found'],
    ],
    [{ redriven: [], notFound: [], dryRun: false }, ['0 events redriven']],
  ])('reports a redrive %j', (report, lines) => {
    expect(redriveText(report, 'lead-agent')).toEqual(lines);
  });

  it.each([
    [0, 200, '[--------------------]   0%'],
    [50, 200, '[#####---------------]  25%'],
    [199, 200, '[####################]  99%'],
    [250, 200, '[####################] 100%'],
    [0, 0, '[####################] 100%'],
  ])('draws a progress bar for %d of %d', (done, total, bar) => {
    expect(progressBar(done, total)).toBe(bar);
  });

  const replay = {
    topic: 'leads.created',
    agent: 'lead-agent',
    into: 'lead-agent.retry',
    since: '2026-03-02T10:00:00.000Z',
    read: 5,
    replayed: 5,
    partitions: [
      { partition: 4, from: '10', to: '12', replayed: 2 },
      { partition: 0, from: '3', to: '6', replayed: 3 },
      { partition: 1, from: '7', to: '7', replayed: 0 },
    ],
    dryRun: false,
    complete: true,
  };
  it.each([
    [
      replay,
      [
        'partition  from offset  to offset  replayed',
        '0          3            6          3',
        '4          10           12         2',
        '5 records of leads.created from 2026-03-02T10:00:00.000Z to its end replayed into lead-agent through lead-agent.retry',
        'lead-agent skips the events its dedup window already saw',
      ],
    ],
    [
      { ...replay, until: '2026-03-02T11:00:00.000Z', replayed: 1, partitions: [{ partition: 0, from: '3', to: '6', replayed: 1 }], shadowPrefix: 'shadow.', into: 'shadow.lead-agent.retry', dryRun: true },
      [
        'partition  from offset  to offset  would replay',
        '0          3            6          1',
        'dry run: 1 record of leads.created from 2026-03-02T10:00:00.000Z to 2026-03-02T11:00:00.000Z would be replayed into the shadow of lead-agent (prefix shadow.) through shadow.lead-agent.retry (5 read)',
      ],
    ],
  ])('reports a replay %#', (report, lines) => {
    expect(replayText(report)).toEqual(lines);
  });
});

describe('hookline: exit codes without a broker', () => {
  async function run(argv: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { env, out: (l) => out.push(l), err: (l) => err.push(l) };
    return { code: await main(argv, io), out, err };
  }

  it.each([
    [['events', 'tail', 'nope'], 2, /^hookline: unknown topic "nope"/, {}],
    [['dlq', 'redrive', 'lead-agent'], 2, /^hookline: name the events to redrive/, {}],
    [['events', 'trace', 'x'], 2, /^hookline: KAFKA_BROKERS entries must be host:port, got "kafka"$/, { KAFKA_BROKERS: 'kafka' }],
    [['dlq', 'list', 'lead-agent'], 2, /^hookline: KAFKA_TOPIC_PREFIX may hold only/, { KAFKA_TOPIC_PREFIX: 'a b' }],
    [['dlq', 'list', 'lead-agent'], 2, /^hookline: KAFKA_SASL_PASSWORD is required/, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }],
  ])('%j exits %d with one line, no stack trace', async (argv, code, message, env: Record<string, string>) => {
    const r = await run(argv, env);
    expect(r.code).toBe(code);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(message);
    expect(r.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('prints help on stdout and exits 0', async () => {
    const r = await run(['dlq', '--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^usage: hookline dlq list <agent>/);
  });

  it.each([
    [{ name: 'KafkaJSConnectionError' }, true],
    [{ name: 'KafkaJSNumberOfRetriesExceeded', originalError: { name: 'KafkaJSConnectionError' } }, true],
    [{ name: 'KafkaJSNonRetriableError', cause: { code: 'ECONNREFUSED' } }, true],
    [{ name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION' }, false],
    [new Error('boom'), false],
  ])('tells a connection error %j: %s', (e, expected) => {
    expect(isConnectionError(e)).toBe(expected);
  });
});
