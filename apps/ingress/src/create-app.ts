import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { answerClientError, CatalogueExceptionFilter, routerError, sendError } from './http/error-handling';
import { IngressModule, type IngressDeps } from './ingress.module';
import { WebhookRoute } from './webhooks/webhook-route';

export interface HttpOptions {
  bodyLimitBytes: number;
  trustedProxies: string[];
  /** Nest's own SIGTERM/SIGINT handling (default); a cluster worker leaves signals to setUpWorker. */
  shutdownHooks?: boolean;
}

/**
 * Builds the ingress HTTP app without listening (tests drive it through Fastify's inject). Every body
 * is kept as the exact raw bytes: signatures are verified over them, and JSON is parsed only afterwards.
 */
export async function createIngressApp(deps: IngressDeps, http: HttpOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    trustProxy: http.trustedProxies.length > 0 ? http.trustedProxies : false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    clientErrorHandler: answerClientError,
    // Without this Fastify answers router errors with its own body: internal code and the echoed URL.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => sendError(reply, routerError(err, deps.logger)),
  });
  const fastify = adapter.getInstance();
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
