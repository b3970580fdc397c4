import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, JsonLogger, RETRY_AFTER_SECONDS, toAppError } from '@app/common';
import { errorPage } from '../views/error';

/** The API answers `{"error": {code, message}}`; pages answer an HTML page with the same code and message. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): void {
  if (error.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  void reply.status(error.status);
  if (request.url.startsWith('/api/') || request.url === '/health') void reply.header('content-type', 'application/json; charset=utf-8').send(error.toBody());
  else void reply.header('content-type', 'text/html; charset=utf-8').send(errorPage(error));
}

@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), toAppError(err, this.logger));
  }
}
