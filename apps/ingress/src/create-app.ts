import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CatalogueExceptionFilter } from './http/error-handling';
import { IngressModule, type IngressDeps } from './ingress.module';

export interface HttpOptions {
  bodyLimitBytes: number;
  trustedProxies: string[];
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
  });
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: http.bodyLimitBytes }, (_req, body, done) => done(null, body));
  deps.metrics.trackInFlight(() => deps.producer.inFlight);
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.register(deps), adapter, {
    logger: deps.logger,
    // Nest must not install its JSON parser: handlers get the raw bytes.
    bodyParser: false,
  });
  app.useGlobalFilters(new CatalogueExceptionFilter(deps.logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
