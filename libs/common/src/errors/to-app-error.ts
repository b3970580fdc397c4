import { HttpException } from '@nestjs/common';
import type { JsonLogger } from '../logging/logger';
import { AppError, type ErrorCode } from './catalogue';

/** The framework's own 4xx answers (Nest's HttpException, Fastify's errors), as catalogue codes. */
const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * A framework's own client error (Nest's HttpException, Fastify's errors, which Nest rewraps without their
 * code): its 4xx status, and whether it is a JSON body parser's 400. Undefined for anything else.
 */
export function frameworkClientError(err: unknown): { status: number; malformedJson: boolean } | undefined {
  const status = err instanceof HttpException ? err.getStatus() : (err as { statusCode?: unknown } | null | undefined)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return { status, malformedJson: status === 400 && err instanceof Error && /json/i.test(err.message) };
}

/** An unexpected thrown value, logged with its stack; the caller answers INTERNAL and shows none of it. */
export function logUnhandled(logger: JsonLogger, err: unknown): void {
  logger.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
}

/**
 * Any thrown value becomes a catalogue error for an HTTP answer: an AppError as it is, a framework 4xx by
 * its status (a 400 from a JSON body parser as MALFORMED_JSON), anything else INTERNAL, logged with its
 * stack and never shown to the caller.
 */
export function toAppError(err: unknown, logger: JsonLogger): AppError {
  if (err instanceof AppError) return err;
  const client = frameworkClientError(err);
  if (client) return new AppError(client.malformedJson ? 'MALFORMED_JSON' : (BY_STATUS[client.status] ?? 'BAD_REQUEST'));
  logUnhandled(logger, err);
  return new AppError('INTERNAL');
}
