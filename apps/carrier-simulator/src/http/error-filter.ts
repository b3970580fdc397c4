import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply } from 'fastify';
import { JsonLogger } from '@app/common';
import { CarrierError, type CarrierErrorCode } from '../errors';

const BY_STATUS: Record<number, CarrierErrorCode> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Any thrown value becomes a CarrierError; unknown ones become INTERNAL and are logged, never shown.
 * Our own code throws only CarrierError, so an HttpException is Fastify's (Nest rewraps its body
 * parsing and routing errors as HttpException with the status and message, without the code).
 */
export function toCarrierError(err: unknown, logger: JsonLogger): CarrierError {
  if (err instanceof CarrierError) return err;
  const status = err instanceof HttpException ? err.getStatus() : (err as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = BY_STATUS[status];
    if (known) return new CarrierError(known);
    const message = err instanceof Error ? err.message : '';
    return new CarrierError(status === 400 && /json/i.test(message) ? 'MALFORMED_JSON' : 'INVALID_REQUEST');
  }
  logger.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  return new CarrierError('INTERNAL');
}

/** Every error reaches this filter, Fastify's own (body parsing, unknown routes) included. */
@Catch()
export class CarrierExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const error = toCarrierError(err, this.logger);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(error.status).header('content-type', 'application/json; charset=utf-8').send(error.toBody());
  }
}
