import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { frameworkClientError, JsonLogger, logUnhandled } from '@app/common';
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
  const client = frameworkClientError(err);
  if (client) return new CarrierError(BY_STATUS[client.status] ?? (client.malformedJson ? 'MALFORMED_JSON' : 'INVALID_REQUEST'));
  logUnhandled(logger, err);
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
