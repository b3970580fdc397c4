import { formatPretty, JsonLogger, logFormatFromEnv, type Level } from '@app/common';
import { createKafka } from '@app/kafka';

const SECRETS = { password: 'hunter2-pw', nested: { apiKey: 'ak-123456', list: [{ authorization: 'Bearer tok-789' }] }, webhookSecret: 'whsec_abc' };
const LEAKS = ['hunter2-pw', 'ak-123456', 'tok-789', 'whsec_abc'];
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function capture(format: 'json' | 'pretty', level: Level = 'debug') {
  const lines: string[] = [];
  return { lines, logger: new JsonLogger('ingress', level, (l) => lines.push(l), undefined, format) };
}

describe('logger formats', () => {
  it.each([
    [{}, false, 'json'],
    [{}, true, 'pretty'],
    [{ LOG_FORMAT: 'json' }, true, 'json'],
    [{ LOG_FORMAT: 'pretty' }, false, 'pretty'],
    [{ LOG_FORMAT: ' Pretty ' }, false, 'pretty'],
    [{ LOG_FORMAT: 'xml' }, false, 'json'],
    [{ LOG_FORMAT: 'xml' }, true, 'pretty'],
  ] as [NodeJS.ProcessEnv, boolean, string][])('LOG_FORMAT %j with a TTY=%s gives %s', (env, tty, expected) => {
    expect(logFormatFromEnv(env, tty)).toBe(expected);
  });

  it('writes JSON to a sink of its own unless told otherwise (programs read those sinks)', () => {
    const lines: string[] = [];
    new JsonLogger('svc', 'info', (l) => lines.push(l)).info('hello', { a: 1 });
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', service: 'svc', msg: 'hello', a: 1 });
  });

  it('writes one short pretty line: time, level, process, [context], message, key=value fields', () => {
    const { lines, logger } = capture('pretty');
    logger.child('kafka').info('producer connected', { producers: 4, brokers: ['127.0.0.1:9092'], note: 'two words' });
    expect(lines).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INF ingress \[kafka\] producer connected producers=4 brokers=\["127\.0\.0\.1:9092"\] note="two words"$/)]);
  });

  it('keeps pretty lines short: long values are cut, fields past the sixth are counted', () => {
    const { lines, logger } = capture('pretty');
    logger.warn('many', { a: 'x'.repeat(500), b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 });
    expect(lines[0]).toMatch(/ WRN ingress many a=x{79}… b=2 c=3 d=4 e=5 f=6 \+2 more$/);
  });

  it('colours pretty lines only when asked, and the text is the same without the colours', () => {
    const rec = { time: '2026-01-02T03:04:05.678Z', level: 'error', service: 'lead-agent', msg: 'boom', code: 'E1' };
    const plain = formatPretty(rec);
    const coloured = formatPretty(rec, { colour: true });
    expect(plain).toBe('03:04:05.678 ERR lead-agent boom code=E1');
    expect(coloured).not.toBe(plain);
    expect(coloured.replace(ANSI, '')).toBe(plain);
    expect(formatPretty(rec, { service: false })).toBe('03:04:05.678 ERR boom code=E1');
  });

  it('escapes control characters in pretty lines, so a value cannot forge a second line or repaint the terminal', () => {
    const { lines, logger } = capture('pretty');
    logger.info('user said\n12:00:00.000 ERR ingress fake', { name: 'a\u001b[2Jb', 'k\ney': 'v' });
    expect(lines).toHaveLength(1);
    expect(lines[0].includes('\n') || lines[0].includes('\u001b')).toBe(false);
    expect(lines[0]).toContain('user said\\n12:00:00.000');
    expect(lines[0]).toContain('name="a\\u001b[2Jb"');
  });

  it.each(['json', 'pretty'] as const)('redacts secrets wherever they appear (%s)', (format) => {
    const { lines, logger } = capture(format);
    logger.info('config', SECRETS);
    logger.warn('nest style', SECRETS); // Nest's (message, fields) path
    logger.error(new Error('failed'), 'SomeContext');
    logger.child('ctx').debug('child', { token: 'tok-789', ok: 'visible' });
    const text = lines.join('\n');
    for (const leak of LEAKS) expect(text).not.toContain(leak);
    expect(text).toContain('[redacted]');
    expect(text).toContain('visible');
    if (format === 'json') {
      expect(JSON.parse(lines[0])).toMatchObject({ password: '[redacted]', nested: { apiKey: '[redacted]', list: [{ authorization: '[redacted]' }] } });
    } else {
      expect(lines[0]).toMatch(/ INF ingress config password=\[redacted\] nested=\{"apiKey":"\[redacted\]","list":\[\{"authorization":"\[redacted\]"\}\]\} webhookSecret=\[redacted\]$/);
    }
  });

  it.each(['json', 'pretty'] as const)('respects the level in both formats (%s)', (format) => {
    const { lines, logger } = capture(format, 'warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.child('c').info('i2');
    expect(lines).toHaveLength(1);
  });
});

describe('kafkajs logs through our logger', () => {
  const kafka = (level: Level) => {
    const lines: string[] = [];
    const logger = new JsonLogger('agent', level, (l) => lines.push(l));
    return { lines, kafka: createKafka({ brokers: ['127.0.0.1:1'], clientId: 'log-test', topicPrefix: '' }, logger) };
  };
  const records = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('logs the expected "Limiting retries for the idempotent producer" warning at debug, with why it is harmless', () => {
    const quiet = kafka('info');
    quiet.kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 6 } }); // warns on construction, no connection
    expect(quiet.lines).toEqual([]);

    const verbose = kafka('debug');
    verbose.kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 6 } });
    expect(records(verbose.lines)).toEqual([
      expect.objectContaining({
        level: 'debug',
        msg: 'kafkajs: Limiting retries for the idempotent producer may invalidate EoS guarantees',
        namespace: 'Producer',
        why: expect.stringMatching(/^expected: /) as string,
      }),
    ]);
  });

  it('logs the retriable "coordinator loading / moved" responses of a starting broker at debug', () => {
    const { lines, kafka: k } = kafka('debug');
    const connection = k.logger().namespace('Connection');
    connection.error('Response InitProducerId(key: 22, version: 1)', { error: "The coordinator is loading and hence can't process requests for this group" });
    connection.error('Response GroupCoordinator(key: 10, version: 2)', { error: 'The group coordinator is not available' });
    connection.error('Response InitProducerId(key: 22, version: 1)', { error: 'This is not the correct coordinator for this group' });
    connection.error('Response Produce(key: 0, version: 7)', { error: 'The group coordinator is not available, or so' });
    expect(records(lines).map((r) => [r.level, Boolean(r.why)])).toEqual([
      ['debug', true],
      ['debug', true],
      ['debug', true],
      ['warn', false],
    ]);
  });

  it('keeps every other kafkajs warning and error a warning', () => {
    const { lines, kafka: k } = kafka('info');
    k.logger().namespace('Producer').warn('Limiting retries in some other way');
    k.logger().namespace('Connection').error('Connection error', { broker: '127.0.0.1:1' });
    expect(records(lines).map((r) => [r.level, r.msg])).toEqual([
      ['warn', 'kafkajs: Limiting retries in some other way'],
      ['warn', 'kafkajs: Connection error'],
    ]);
  });
});
