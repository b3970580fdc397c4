import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BillingModule, type BillingDeps } from './billing.module';
import { BillingExceptionFilter } from './http/error-filter';

/** Builds the simulator without listening (tests drive it through Fastify's inject). */
export async function createBillingApp(deps: BillingDeps): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, return503OnClosing: true });
  // JSON only: without this, a text/plain body would reach validation as a string.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const app = await NestFactory.create<NestFastifyApplication>(BillingModule.register(deps), adapter, { logger: deps.logger });
  app.useGlobalFilters(new BillingExceptionFilter(deps.logger));
  await app.init();
  return app;
}
