import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { JsonLogger, toAppError } from '@app/common';
import { ConsoleModule, type ConsoleDeps } from './console.module';
import { ConsoleExceptionFilter, sendError } from './http/error-filter';

/** Builds the console without listening (tests drive it through Fastify's inject or a real browser). */
export async function createConsoleApp(deps: ConsoleDeps & { logger: JsonLogger }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, toAppError(err, deps.logger)),
  });
  // Nest parses JSON and form bodies (the redrive buttons post forms).
  const app = await NestFactory.create<NestFastifyApplication>(ConsoleModule.register(deps), adapter, { logger: deps.logger });
  app.useGlobalFilters(new ConsoleExceptionFilter(deps.logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
