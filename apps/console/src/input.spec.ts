import { AppError } from '@app/common';
import { parseAgents } from './config';
import { eventId, eventQuery, limit, redriveRequest } from './input';
import { escapeHtml, html } from './views/html';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
};

describe('console input', () => {
  it.each([
    ['evt_01HZX3K6W8Q2', undefined],
    ['1f6455e2-8e13-42d7-976e-958628ae9c18', undefined],
    ['', 'INVALID_EVENT_ID'],
    ['x'.repeat(257), 'INVALID_EVENT_ID'],
    ['a\u0000b', 'INVALID_EVENT_ID'],
    ['a\nb', 'INVALID_EVENT_ID'],
    [['a', 'b'], 'INVALID_EVENT_ID'],
    [undefined, 'INVALID_EVENT_ID'],
  ])('event id %j: %s', (value, code) => {
    expect(codeOf(() => eventId(value))).toBe(code);
  });

  it.each<[unknown, number | string]>([
    [undefined, 50],
    ['', 50],
    ['1', 1],
    ['500', 500],
    ['0', 'INVALID_QUERY'],
    ['501', 'INVALID_QUERY'],
    ['-3', 'INVALID_QUERY'],
    ['1e3', 'INVALID_QUERY'],
    [['5', '6'], 'INVALID_QUERY'],
  ])('limit %j: %s', (value, expected) => {
    if (typeof expected === 'number') expect(limit(value)).toBe(expected);
    else expect(codeOf(() => limit(value))).toBe(expected);
  });

  it('keeps the non-empty search fields, trimmed, and refuses repeated or oversized ones', () => {
    expect(eventQuery({ id: ' evt_1 ', type: '', subject: 'lead_7781', key: 'ada@', other: 'ignored' })).toEqual({ id: 'evt_1', subject: 'lead_7781', key: 'ada@' });
    expect(codeOf(() => eventQuery({ type: ['a', 'b'] }))).toBe('INVALID_QUERY');
    expect(codeOf(() => eventQuery({ key: 'k'.repeat(257) }))).toBe('INVALID_QUERY');
  });

  it.each([
    [{ ids: ['a', 'b', 'a'] }, { ids: ['a', 'b'] }],
    [{ id: 'a' }, { ids: ['a'] }],
    [{ id: ['a', 'b'] }, { ids: ['a', 'b'] }],
    [{ all: true }, { all: true }],
    [{ all: '1' }, { all: true }],
    [{ ids: [] }, 'INVALID_QUERY'],
    [{}, 'INVALID_QUERY'],
    [null, 'INVALID_QUERY'],
    [['a'], 'INVALID_QUERY'],
    [{ ids: [''] }, 'INVALID_EVENT_ID'],
    [{ ids: [42] }, 'INVALID_EVENT_ID'],
    [{ ids: Array.from({ length: 1001 }, (_, i) => `e${i}`) }, 'INVALID_QUERY'],
  ])('redrive body %j: %j', (body, expected) => {
    if (typeof expected === 'string') expect(codeOf(() => redriveRequest(body))).toBe(expected);
    else expect(redriveRequest(body)).toEqual(expected);
  });
});

describe('CONSOLE_AGENTS', () => {
  it('reads name=url pairs', () => {
    expect(parseAgents('lead-agent=http://127.0.0.1:3101, fulfillment-agent=http://fulfillment-agent:3102/')).toEqual([
      { name: 'lead-agent', healthUrl: 'http://127.0.0.1:3101' },
      { name: 'fulfillment-agent', healthUrl: 'http://fulfillment-agent:3102' },
    ]);
    expect(parseAgents('')).toEqual([]);
  });

  it.each([
    ['Lead=http://x:1', 'agent name must be lower-case kebab-case'],
    ['lead-agent', 'needs its health URL'],
    ['lead-agent=not a url', 'needs its health URL'],
    ['lead-agent=ftp://x:1', 'must be http or https'],
    ['a=http://x:1,a=http://y:2', 'listed twice'],
  ])('%j fails with a message naming CONSOLE_AGENTS', (value, message) => {
    expect(() => parseAgents(value)).toThrow(`CONSOLE_AGENTS: `);
    expect(() => parseAgents(value)).toThrow(message);
  });
});

describe('html', () => {
  it('escapes every interpolated value, and only those', () => {
    const id = '"><script>alert(1)</script>';
    expect(html`<a href="/trace/${id}">${id}</a>`.text).toBe(`<a href="/trace/${escapeHtml(id)}">${escapeHtml(id)}</a>`);
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`${[1, '<', undefined, null, false]}`.text).toBe('1&lt;');
  });
});
