import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ERRORS, type ErrorCode } from '@app/common';
import { SIGNATURE_HEADER, signedFor, type HeaderMap } from '../../support/hostile';
import { ingressWithFake, type FakeProducer } from '../../support/ingress';
import { openConnections, rawExchange, type RawAnswer } from '../../support/raw-http';
import { SEED } from './properties';

/**
 * Hostile bytes over real sockets, below what inject can send: invalid header lines, a Content-Length
 * that lies, oversized chunked bodies, partial requests left open and many idle connections. Every answer
 * must be a catalogue answer, no record may be written without a valid signature over the bytes the
 * server read, the process must keep serving, and its heap must stay bounded. HOSTILE_SCALE multiplies
 * the generated cases (`npm run test:faults` runs 4 times as many).
 */
const SCALE = Number(process.env.HOSTILE_SCALE || 1);
const MB = 1024 * 1024;
const LIMIT = 64 * 1024; // a small body limit, so oversized bodies are cheap to send
const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1000;
const gc = (globalThis as { gc?: () => void }).gc;

const BODY = Buffer.from('{"id":"raw-1","type":"lead.created","data":{"id":"raw-1","email":"raw@acme-corp.io"}}');

/** A raw POST /webhooks/crm: the request line, `headers`, extra raw header lines, then the body as given. */
function rawPost(headers: HeaderMap, body: Buffer | string, extraLines: string[] = [], contentLength: string | null = String(Buffer.byteLength(body)), close = true): Buffer {
  // Connection: close, so that the server ends every exchange (a kept-alive one would wait for our timeout).
  const lines = ['POST /webhooks/crm HTTP/1.1', 'Host: ingress', ...(close ? ['Connection: close'] : [])];
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  if (contentLength !== null) lines.push(`Content-Length: ${contentLength}`);
  lines.push(...extraLines);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')]);
}

describe('the ingress under hostile bytes on raw sockets', () => {
  let app: NestFastifyApplication;
  let producer: FakeProducer;
  let port: number;
  let tried = 0;
  let unauthenticated = 0;
  const statuses = new Map<number | string, number>();
  let heapAtStart = 0;
  let heapPeak = 0;

  beforeAll(async () => {
    gc?.();
    heapAtStart = process.memoryUsage().heapUsed;
    heapPeak = heapAtStart;
    ({ app, producer } = await ingressWithFake(undefined, {
      bodyLimitBytes: LIMIT,
      trustedProxies: [],
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterEach(async () => {
    // Still serving, and the heap peak sampled after every test.
    const live = await rawExchange(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(live.responses.map((r) => r.status)).toEqual([200]);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  });
  afterAll(async () => {
    await app.close();
    console.log(
      `raw-socket hostile requests tried: ${tried}, crashes: 0, unauthenticated records: ${unauthenticated}, answers: ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `heap peak +${((heapPeak - heapAtStart) / MB).toFixed(1)} MiB`,
    );
  });

  /**
   * Sends one raw exchange, counts it, and checks what every answer must be: a catalogue body for any
   * error, 202 only with a record, and records only when `authentic` (the signature fits the bytes read).
   */
  const exchange = async (parts: (string | Buffer)[], authentic: boolean, opts: Parameters<typeof rawExchange>[2] = {}): Promise<RawAnswer> => {
    tried += 1;
    producer.records = [];
    const answer = await rawExchange(port, parts, opts);
    const records = producer.records.splice(0);
    if (records.length > 0 && !authentic) unauthenticated += records.length;
    for (const r of answer.responses) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(r.status).toBeLessThan(500);
      if (r.status >= 400) {
        const body = JSON.parse(r.body) as { error: { code: ErrorCode; message: string } };
        expect(body).toEqual({ error: { code: body.error.code, message: ERRORS[body.error.code].message } });
        expect(ERRORS[body.error.code].status).toBe(r.status);
      }
    }
    if (answer.responses.length === 0) statuses.set('none', (statuses.get('none') ?? 0) + 1);
    expect(records.length).toBe(answer.responses.filter((r) => r.status === 202).length);
    expect(unauthenticated).toBe(0);
    return answer;
  };
  const codes = (a: RawAnswer) => a.responses.map((r) => (JSON.parse(r.body) as { error?: { code: string } }).error?.code ?? r.status);

  describe('invalid header lines', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
    const ctl = fc.constantFrom(...[...Array(32).keys()].filter((c) => c !== 9).map((c) => String.fromCharCode(c)), '\x7f');
    const separator = fc.constantFrom(' ', '\t', '(', ')', '<', '>', '@', ',', ';', '\\', '"', '/', '[', ']', '?', '=', '{', '}', '\x80', '\xff');
    const badLine = fc.oneof(
      name.map((n) => n), // no colon at all
      fc.tuple(name, separator, name).map(([a, s, b]) => `${a}${s}${b}: v`), // a character a header name may not hold
      fc.tuple(name, ctl).map(([n, c]) => `${n}: a${c}b`), // a control character in the value
      name.map((n) => `${n} : v`), // whitespace before the colon
      name.map((n) => `: ${n}`), // no name
      name.map((n) => ` ${n}: v`), // obs-fold: a continuation line
      name.map((n) => `${n}: a\rb`), // a bare CR
    );

    it('answers 400 BAD_REQUEST or a documented answer, never stores an unsigned request', async () => {
      await fc.assert(
        fc.asyncProperty(badLine, fc.boolean(), fc.nat(3), async (line, sign, at) => {
          const headers = sign ? signedFor('crm', BODY) : { 'content-type': 'application/json' };
          const list = Object.entries(headers);
          // The bad line goes anywhere among the headers.
          const before = Object.fromEntries(list.slice(0, at % (list.length + 1)));
          const after = list.slice(at % (list.length + 1)).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${k}: ${one}`));
          const answer = await exchange([rawPost(before, BODY, [line, ...after])], sign);
          expect(answer.responses.length).toBeGreaterThan(0);
          const [first] = codes(answer);
          expect(sign ? [202, 'BAD_REQUEST', 'SIGNATURE_MISSING'] : ['BAD_REQUEST', 'SIGNATURE_MISSING']).toContain(first);
        }),
        { seed: SEED, numRuns: 300 * SCALE },
      );
    });
  });

  describe('a Content-Length that lies', () => {
    it.each([
      ['not a number', 'ten'],
      ['negative', '-1'],
      ['a plus sign', '+10'],
      ['hexadecimal', '0x10'],
      ['two numbers', '10 10'],
      ['beyond 2^64', '99999999999999999999999'],
    ])('%s: 400 BAD_REQUEST', async (_what, value) => {
      const answer = await exchange([rawPost(signedFor('crm', BODY), BODY, [], value)], true);
      expect(codes(answer)).toEqual(['BAD_REQUEST']);
    });

    it('two different Content-Length headers: 400 BAD_REQUEST', async () => {
      const answer = await exchange([rawPost(signedFor('crm', BODY), BODY, [`Content-Length: ${BODY.length - 1}`])], true);
      expect(codes(answer)).toEqual(['BAD_REQUEST']);
    });

    it('larger than the limit, no body sent: 413 PAYLOAD_TOO_LARGE at once', async () => {
      const answer = await exchange([rawPost(signedFor('crm', BODY), '', [], String(LIMIT + 1))], false, { waitMs: 3000 });
      expect(codes(answer)[0]).toBe('PAYLOAD_TOO_LARGE');
    });

    it('longer or shorter than the body by any amount: the signature covers only what the server reads', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: -BODY.length, max: 200 }), fc.boolean(), async (delta, halfClose) => {
          const length = BODY.length + delta;
          // Signed over the full body: authentic only when the server reads exactly it.
          const answer = await exchange([rawPost(signedFor('crm', BODY), BODY, [], String(length))], delta === 0, { end: halfClose, waitMs: delta > 0 && !halfClose ? 300 : 5000 });
          const got = codes(answer);
          if (delta === 0) expect(got[0]).toBe(202);
          // Shorter: the first request fails its signature; the rest of the body is read as a next request.
          // (Node may answer the malformed rest first, 400, and close before the first answer is written.)
          else if (delta < 0) expect(['SIGNATURE_INVALID', 'BAD_REQUEST']).toContain(got[0]);
          // Longer: the server waits for bytes that never come, or the client gave up; nothing is stored.
          else expect(got.filter((c) => c !== 'BAD_REQUEST' && c !== 'REQUEST_TIMEOUT')).toEqual([]);
        }),
        { seed: SEED, numRuns: 60 * SCALE },
      );
    });

    it('shorter than the body, signed over what it covers: one stored event, and the rest is no request', async () => {
      const prefix = Buffer.from('{"id":"raw-2","type":"lead.created","data":{"id":"raw-2","email":"raw2@acme-corp.io"}}');
      const smuggled = Buffer.from('POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      const answer = await exchange([rawPost(signedFor('crm', prefix), Buffer.concat([prefix, smuggled]), [], String(prefix.length), false)], true, { waitMs: 1500 });
      // The trailing bytes are a second, unsigned request: refused like any other.
      expect(codes(answer)).toEqual([202, 'SIGNATURE_MISSING']);
    });
  });

  describe('oversized chunked bodies', () => {
    const chunked = (chunks: (string | Buffer)[]) =>
      Buffer.concat([
        Buffer.from(`POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n${SIGNATURE_HEADER.crm}: sha256=${'0'.repeat(64)}\r\nTransfer-Encoding: chunked\r\n\r\n`),
        ...chunks.flatMap((c) => [Buffer.from(`${Buffer.byteLength(c).toString(16)}\r\n`), Buffer.isBuffer(c) ? c : Buffer.from(c), Buffer.from('\r\n')]),
        Buffer.from('0\r\n\r\n'),
      ]);
    it.each([
      ['just over the limit in 1 KiB chunks', LIMIT + 1, 1024],
      ['twice the limit in 64 KiB chunks', LIMIT * 2, 64 * 1024],
      ['16 times the limit in 4 KiB chunks', LIMIT * 16, 4096],
      ['4 MiB in one chunk', 4 * MB, 4 * MB],
      ['the limit plus one byte in 1-byte chunks at the end', LIMIT + 1, 1],
    ])('%s: 413 PAYLOAD_TOO_LARGE, nothing stored', async (_what, size, chunk) => {
      const parts: Buffer[] = [];
      if (chunk === 1) parts.push(Buffer.alloc(LIMIT - 16, 0x20), ...Array.from({ length: 17 }, () => Buffer.from(' ')));
      else for (let left = size; left > 0; left -= chunk) parts.push(Buffer.alloc(Math.min(chunk, left), 0x20));
      const answer = await exchange([chunked(parts)], false);
      expect(codes(answer)[0]).toBe('PAYLOAD_TOO_LARGE');
    });

    it.each([
      ['a chunk size beyond 64 bits', 'fffffffffffffffffffff\r\nx\r\n0\r\n\r\n'],
      ['a negative chunk size', '-1\r\nx\r\n0\r\n\r\n'],
      ['a chunk longer than its size', '2\r\nxxxx\r\n0\r\n\r\n'],
    ])('%s: 400 BAD_REQUEST', async (_what, body) => {
      const head = `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const answer = await exchange([head + body], false);
      expect(codes(answer)[0]).toBe('BAD_REQUEST');
    });

    it('a chunk announced larger than the limit and never sent: 413 without waiting for it', async () => {
      const head = `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${(LIMIT * 4).toString(16)}\r\n`;
      const answer = await exchange([head, Buffer.alloc(LIMIT + 100, 0x20)], false, { waitMs: 3000 });
      expect(codes(answer)[0]).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('partial requests left open and idle connections', () => {
    const PARTIAL = [
      'POST /webhooks/crm HTT', // inside the request line
      'POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Ty', // inside a header
      `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n{"id":`, // inside the body
      'POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"id"', // inside a chunk
    ];

    it.each(PARTIAL.map((p, i) => [i, p]))('partial request %i: answered 408 REQUEST_TIMEOUT and closed once the server stops waiting', async (_i, bytes) => {
      const t0 = Date.now();
      const answer = await exchange([bytes], false, { waitMs: 10_000 });
      expect(answer.closedByServer).toBe(true);
      expect(codes(answer)).toEqual(['REQUEST_TIMEOUT']);
      // The server checks its connections every second, so a partial request is held at most about that long.
      expect(Date.now() - t0).toBeLessThan(REQUEST_TIMEOUT_MS + 2500);
    });

    it(`${200 * SCALE} partial requests and ${500 * SCALE} idle connections held open: signed requests are still served, memory stays bounded, all are closed in time`, async () => {
      gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const partial = (await Promise.all(PARTIAL.map((p) => openConnections(port, 50 * SCALE, p)))).flat();
      const idle = await openConnections(port, 500 * SCALE);
      tried += partial.length + idle.length;
      const held = [...partial, ...idle];
      const closed = held.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))));
      try {
        // While they are held, 50 signed requests on new connections, at once, are all accepted.
        producer.records = [];
        const served = await Promise.all(
          Array.from({ length: 50 }, (_, i) => {
            const body = Buffer.from(JSON.stringify({ id: `held-${i}`, type: 'lead.created', data: { id: `held-${i}`, email: `h${i}@acme-corp.io` } }));
            return rawExchange(port, [rawPost(signedFor('crm', body), body)]);
          }),
        );
        tried += served.length;
        expect(served.map((a) => a.responses.map((r) => r.status))).toEqual(served.map(() => [202]));
        expect(producer.records.splice(0)).toHaveLength(50);
      } catch (e) {
        for (const s of held) s.destroy();
        throw e;
      }
      gc?.();
      const heldHeap = process.memoryUsage().heapUsed - heapBefore;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      // The server closes every one of them (idle ones, which never sent a byte, after the header timeout too).
      const t0 = Date.now();
      await Promise.all(closed);
      const waited = Date.now() - t0;
      console.log(`held ${partial.length} partial requests and ${idle.length} idle connections: heap +${(heldHeap / MB).toFixed(1)} MiB while held, all closed by the server ${waited} ms later`);
      expect(heldHeap).toBeLessThan(50 * MB);
      expect(waited).toBeLessThan(REQUEST_TIMEOUT_MS + 3000);
    }, 30_000);
  });

  it('returns close to its starting heap after a forced GC', () => {
    gc?.();
    expect(process.memoryUsage().heapUsed - heapAtStart).toBeLessThan(50 * MB);
    expect(heapPeak - heapAtStart).toBeLessThan(200 * MB);
  });
});
