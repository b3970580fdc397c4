import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply } from 'fastify';
import { AppError, ERRORS, JsonLogger, RETRY_AFTER_SECONDS, type ErrorCode } from '@app/common';

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
  const status = err instanceof HttpException ? err.getStatus() : (err as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AppError(BY_STATUS[status] ?? 'BAD_REQUEST');
  logger.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  return new AppError('INTERNAL');
}

/**
 * Errors Fastify's router raises before any route runs (a bad %-escape, a segment over maxParamLength):
 * they never reach Nest's filters. The one route with a parameter is /webhooks/:provider, and no
 * provider name is longer than 63 characters, so an over-long one is an unknown provider.
 */
export function routerError(err: FastifyError, logger: JsonLogger): AppError {
  return err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new AppError('UNKNOWN_PROVIDER') : toAppError(err, logger);
}

export function sendError(reply: FastifyReply, error: AppError): void {
  if (error.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  void reply.status(error.status).header('content-type', 'application/json; charset=utf-8').send(error.toBody());
}

/**
 * Every error reaches this filter: Nest routes Fastify's own errors (body too large, bad content length,
 * unknown route) through its exception filters too.
 */
@Catch()
export class CatalogueExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<FastifyReply>(), toAppError(err, this.logger));
  }
}

/**
 * Errors Node's HTTP parser raises before any request exists (a header line without a colon, NUL in a
 * value, Content-Length beside Transfer-Encoding, a bad chunk size, oversized headers, random bytes), and a
 * request not received within the header or request timeout (408 REQUEST_TIMEOUT): the answer is the
 * catalogue's body too, and the connection is closed, as the parser cannot go on with it.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
  const { status, message } = ERRORS[code];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
