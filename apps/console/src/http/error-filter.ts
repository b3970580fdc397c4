import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, JsonLogger, RETRY_AFTER_SECONDS, type ErrorCode } from '@app/common';
import { errorPage } from '../views/error';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Any thrown value becomes a catalogue error; unknown ones become INTERNAL and are logged, not shown. */
export function toAppError(err: unknown, logger: JsonLogger): AppError {
  if (err instanceof AppError) return err;
  const status = err instanceof HttpException ? err.getStatus() : (err as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = err instanceof Error ? err.message : '';
    return new AppError(status === 400 && /json/i.test(message) ? 'MALFORMED_JSON' : (BY_STATUS[status] ?? 'BAD_REQUEST'));
  }
  logger.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  return new AppError('INTERNAL');
}

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
