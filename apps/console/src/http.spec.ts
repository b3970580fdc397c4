import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, JsonLogger } from '@app/common';
import type { ConsoleConfig } from './config';
import type { ConsoleReader } from './console-reader';
import { createConsoleApp } from './create-app';

/** The HTTP layer through Fastify's inject, with a fake reader: routes, status codes, JSON vs HTML errors. */
const config: ConsoleConfig = { port: 0, host: '127.0.0.1', agents: [], recentOffsets: 500, readTimeoutMs: 1000, healthTimeoutMs: 100 };
const redrives: unknown[] = [];
const fake = {
  topics: async () => ['leads.created'],
  recent: async (topic: string | undefined) => {
    if (topic !== undefined && topic !== 'leads.created') throw new AppError('UNKNOWN_TOPIC');
    return { topics: ['leads.created'], query: {}, events: [{ topic: 'leads.created', partition: 0, offset: '7', timestamp: '2026-03-02T09:15:00.000Z', id: '<evt>', type: 'crm.lead.created', extensions: {}, preview: '{}' }], scanned: 1, complete: true };
  },
  trace: async () => {
    throw new AppError('EVENT_NOT_FOUND');
  },
  agents: async () => [],
  agent: async (name: string) => {
    throw new AppError('UNKNOWN_AGENT', `No agent "${name}".`);
  },
  redrive: async (agent: string, request: unknown) => {
    redrives.push([agent, request]);
    return { redriven: [{ id: 'e1', redrive: 1, partition: 0, fromOffset: '3' }], notFound: [], dryRun: false };
  },
} as unknown as ConsoleReader;

describe('console HTTP', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createConsoleApp({ reader: fake, config, logger: new JsonLogger('console-test', 'error', () => undefined) });
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it.each([
    ['/api/events?topic=nope', 404, 'UNKNOWN_TOPIC'],
    ['/api/events?limit=abc', 400, 'INVALID_QUERY'],
    ['/api/events/%00/trace', 400, 'INVALID_EVENT_ID'],
    ['/api/events/missing/trace', 404, 'EVENT_NOT_FOUND'],
    ['/api/agents/nope', 404, 'UNKNOWN_AGENT'],
    ['/api/nothing-here', 404, 'NOT_FOUND'],
  ])('GET %s answers %i %s as JSON', async (url, status, code) => {
    const res = await app.inject({ method: 'GET', url });
    expect([res.statusCode, res.headers['content-type'], res.json<{ error: { code: string } }>().error.code]).toEqual([status, 'application/json; charset=utf-8', code]);
  });

  it.each([
    ['/events?topic=nope', 404, 'UNKNOWN_TOPIC'],
    ['/trace/missing', 404, 'EVENT_NOT_FOUND'],
    ['/agents/nope', 404, 'UNKNOWN_AGENT'],
  ])('the page %s answers %i with an HTML page naming %s', async (url, status, code) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(code);
  });

  it('renders events with their ids escaped and linked to their trace', async () => {
    const res = await app.inject({ method: 'GET', url: '/events' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/trace/%3Cevt%3E">&lt;evt&gt;</a>');
    expect(res.body).not.toContain('<evt>');
  });

  it('a redrive form posts, then sends the browser back to the agent page (303)', async () => {
    const res = await app.inject({ method: 'POST', url: '/agents/lead-agent/redrive', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=e1' });
    expect([res.statusCode, res.headers.location]).toEqual([303, '/agents/lead-agent?redriven=e1']);
    expect(redrives.at(-1)).toEqual(['lead-agent', { ids: ['e1'] }]);
  });

  it('the API redrive takes JSON and refuses a body that is not', async () => {
    const ok = await app.inject({ method: 'POST', url: '/api/agents/lead-agent/redrive', payload: { all: true } });
    expect(ok.statusCode).toBe(200);
    expect(redrives.at(-1)).toEqual(['lead-agent', { all: true }]);
    const bad = await app.inject({ method: 'POST', url: '/api/agents/lead-agent/redrive', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect([bad.statusCode, bad.json<{ error: { code: string } }>().error.code]).toEqual([400, 'MALFORMED_JSON']);
  });
});
