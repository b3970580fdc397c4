import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger } from '@app/common';
import type { DeliveryConfig } from '../../../apps/carrier-simulator/src/config';
import { createCarrierApp } from '../../../apps/carrier-simulator/src/create-app';

export const SECRET = `whsec_${Buffer.from('carrier-simulator-test-secret-32!').toString('base64')}`;

/** Delays long enough that nothing is sent during an HTTP-only test; tests override what they need. */
export function deliveryConfig(overrides: Partial<DeliveryConfig> = {}): DeliveryConfig {
  return {
    secret: SECRET,
    shipDelayMs: 60_000,
    deliverDelayMs: 60_000,
    duplicates: 0,
    retryInitialMs: 10,
    retryMaxAttempts: 3,
    requestTimeoutMs: 2000,
    ...overrides,
  };
}

export async function carrierApp(overrides: Partial<DeliveryConfig> = {}): Promise<{ app: NestFastifyApplication; logs: string[] }> {
  const logs: string[] = [];
  const logger = new JsonLogger('carrier-test', 'debug', (line) => logs.push(line));
  const app = await createCarrierApp({ delivery: deliveryConfig(overrides), logger });
  return { app, logs };
}

export const ADDRESS = { name: 'Grace Hopper', line1: '1 Harbor Road', city: 'Arlington', postalCode: '22201', country: 'US' };

export async function createShipment(app: NestFastifyApplication, key: string, body: unknown = { orderId: 'ord-1', address: ADDRESS }) {
  return app.inject({ method: 'POST', url: '/v1/shipments', headers: { 'idempotency-key': key }, payload: body as Record<string, unknown> });
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Chooses the answer to one request; `received` already includes it. */
export type Responder = (request: Received, received: Received[]) => number;

/**
 * A subscriber on 127.0.0.1: records every request and answers with the next status of `statuses`
 * (200 once they run out), or with what a responder function picks. Requests of different messages
 * can arrive in any order, so a test that must fail one particular message passes a responder that
 * looks at the request rather than a list consumed in arrival order. waitFor resolves as soon as
 * `count` requests have arrived.
 */
export class Subscriber {
  readonly received: Received[] = [];
  private readonly server: Server;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(statuses: number[] | Responder = []) {
    const respond: Responder = typeof statuses === 'function' ? statuses : () => statuses.shift() ?? 200;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks) };
        this.received.push(request);
        res.writeHead(respond(request, this.received), { 'content-type': 'application/json' }).end('{}');
        this.waiters = this.waiters.filter((w) => (this.received.length >= w.count ? (w.resolve(), false) : true));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The timeout only ends a test that would otherwise hang; it is generous so a loaded machine still passes. */
  waitFor(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} requests, got ${this.received.length}`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Polls until check() stops throwing: for state the app updates just after a subscriber has answered.
 * The timeout only bounds a failing test (a loaded machine can take seconds), so it is generous.
 */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * A URL whose server accepts each connection and closes it at once: a network error on every attempt.
 * The port stays ours until close(), unlike a port that was free a moment ago (which another process
 * on a shared machine may take in between).
 */
export async function brokenEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
