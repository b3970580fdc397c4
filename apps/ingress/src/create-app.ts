import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { answerClientError, CatalogueExceptionFilter, routerError, sendError } from './http/error-handling';
import { IngressModule, type IngressDeps } from './ingress.module';
import { WebhookRoute } from './webhooks/webhook-route';

export interface HttpOptions {
  bodyLimitBytes: number;
  trustedProxies: string[];
  /** A connection must have sent a request's headers within this (idle and partial ones are closed): 10 s. */
  headersTimeoutMs?: number;
  /** ... and the whole request within this: 30 s. Without it a body left unfinished held its socket forever. */
  requestTimeoutMs?: number;
  /** Nest's own SIGTERM/SIGINT handling (default); a cluster worker leaves signals to setUpWorker. */
  shutdownHooks?: boolean;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Builds the ingress HTTP app without listening (tests drive it through Fastify's inject). Every body
 * is kept as the exact raw bytes: signatures are verified over them, and JSON is parsed only afterwards.
 */
export async function createIngressApp(deps: IngressDeps, http: HttpOptions): Promise<NestFastifyApplication> {
  const headersTimeout = http.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    // Node's defaults: 60 s for headers and no limit at all for the body (Fastify's requestTimeout 0), so
    // a client could hold a socket and up to a body's worth of memory for as long as it liked. Node checks
    // its connections against these every `connectionsCheckingInterval` (30 s by default; 1 s here).
    requestTimeout: http.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
    trustProxy: http.trustedProxies.length > 0 ? http.trustedProxies : false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    clientErrorHandler: answerClientError,
    // Without this Fastify answers router errors with its own body: internal code and the echoed URL.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => sendError(reply, routerError(err, deps.logger)),
  });
  const fastify = adapter.getInstance();
  // Node's header timeout starts with the first byte: a connection that never sends one was held for good
  // (Fastify's connectionTimeout did not close it either). It gets the header timeout too.
  fastify.server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), headersTimeout);
    timer.unref();
    socket.once('data', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: http.bodyLimitBytes }, (_req, body, done) => done(null, body));
  // POST is the only method of a webhook route: the others get 405 with Allow, not "no such route".
  fastify.route({
    method: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/webhooks/:provider',
    handler: (_req, reply) => sendError(reply.header('allow', 'POST'), new AppError('METHOD_NOT_ALLOWED')),
  });
  deps.metrics.trackInFlight(() => deps.producer.inFlight);
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.register(deps), adapter, {
    logger: deps.logger,
    // Nest must not install its JSON parser: handlers get the raw bytes.
    bodyParser: false,
  });
  app.useGlobalFilters(new CatalogueExceptionFilter(deps.logger));
  app.get(WebhookRoute).mount(adapter);
  if (http.shutdownHooks !== false) app.enableShutdownHooks();
  await app.init();
  return app;
}
