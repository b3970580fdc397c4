import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply } from 'fastify';
import { AppError, ERRORS, JsonLogger, RETRY_AFTER_SECONDS, toAppError, type ErrorCode } from '@app/common';

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
