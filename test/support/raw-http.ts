import { connect, type Socket } from 'node:net';

/**
 * A raw HTTP/1.1 client for the hostile tests: bytes no HTTP library would send, over a real socket.
 * Inject cannot send them: they fail in Node's parser, before Fastify sees a request.
 */
export interface RawAnswer {
  /** Each response on the connection: status, headers (lower-case), body. */
  responses: { status: number; headers: Record<string, string>; body: string }[];
  /** The connection was closed by the server (not by our timeout). */
  closedByServer: boolean;
  raw: string;
}

/** Splits what the server sent into responses (Content-Length framed, as the ingress always answers). */
export function parseResponses(raw: string): RawAnswer['responses'] {
  const out: RawAnswer['responses'] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`truncated response head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    if (!m) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(m[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/**
 * Writes `parts` (with `gapMs` between them), then either half-closes (`end: true`) or keeps the
 * connection open, and collects what comes back until the server closes or `waitMs` passes.
 */
export function rawExchange(port: number, parts: (string | Buffer)[], opts: { end?: boolean; waitMs?: number; gapMs?: number } = {}): Promise<RawAnswer> {
  const waitMs = opts.waitMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, waitMs);
    socket.on('data', (b) => chunks.push(b));
    // A reset after the answer (the server closing with our unread bytes pending) is still an answer.
    socket.on('error', (e) => (chunks.length > 0 ? undefined : (clearTimeout(timer), reject(e))));
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      try {
        resolve({ responses: parseResponses(raw), closedByServer, raw });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    const write = async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
        if (socket.destroyed) return;
        socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part);
      }
      if (opts.end) socket.end();
    };
    socket.once('connect', () => void write());
  });
}

/** `n` connections opened and left as they are (after writing `bytes`, if any), for the caller to close. */
export async function openConnections(port: number, n: number, bytes?: string): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(50, n - i) },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const s = connect(port, '127.0.0.1');
            s.once('connect', () => {
              if (bytes) s.write(bytes);
              resolve(s);
            });
            s.once('error', reject);
          }),
      ),
    );
    // Read (and drop) what comes back: a paused socket would never see the server close it.
    for (const s of batch) s.on('error', () => undefined).resume();
    sockets.push(...batch);
  }
  return sockets;
}
