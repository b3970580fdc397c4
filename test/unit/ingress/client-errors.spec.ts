import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ERRORS, type ErrorCode } from '@app/common';
import { ingressWithFake, type FakeProducer } from '../../support/ingress';

/**
 * Requests Node's HTTP parser refuses before any route runs, over a real socket (inject cannot send
 * them): each is answered with the catalogue's status and body, never Fastify's own, and nothing is written.
 */
const BODY = '{"id":"1","type":"lead.created"}';
const CASES: Array<[string, string, ErrorCode]> = [
  ['a header line without a colon', `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nNotAHeader\r\n\r\n`, 'BAD_REQUEST'],
  ['NUL inside a header value', `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`, 'BAD_REQUEST'],
  ['Content-Length beside Transfer-Encoding', `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'BAD_REQUEST'],
  ['a chunk size that is not hex', `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${BODY}\r\n0\r\n\r\n`, 'BAD_REQUEST'],
  ['random bytes', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003 not http at all\r\n\r\n', 'BAD_REQUEST'],
  ['a request line with spaces in the path', `POST /webhooks/c rm x HTTP/1.1\r\nHost: x\r\n\r\n`, 'BAD_REQUEST'],
  ['headers larger than Node accepts (16 KiB)', `POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20 * 1024)}\r\n\r\n`, 'HEADERS_TOO_LARGE'],
];

function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (b) => (answer += b.toString('latin1')));
    socket.on('error', (e) => (answer ? resolve(answer) : reject(e)));
    socket.on('close', () => resolve(answer));
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

describe('HTTP parse errors get the catalogue answer (real socket)', () => {
  let app: NestFastifyApplication;
  let producer: FakeProducer;
  let port: number;

  beforeAll(async () => {
    ({ app, producer } = await ingressWithFake());
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(CASES)('%s', async (_what, bytes, code) => {
    const answer = await rawRequest(port, bytes);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${ERRORS[code].status} ${code === 'HEADERS_TOO_LARGE' ? 'Request Header Fields Too Large' : 'Bad Request'}`);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toEqual({ error: { code, message: ERRORS[code].message } });
    expect(producer.records).toHaveLength(0);
  });

  it('still serves a well-formed request on a new connection afterwards', async () => {
    const answer = await rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});
