import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { frameworkClientError, JsonLogger, logUnhandled } from '@app/common';
import { BillingError, type BillingErrorCode } from '../errors';

const BY_STATUS: Record<number, BillingErrorCode> = { 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/** Any thrown value becomes a BillingError; unknown ones become INTERNAL and are logged, never shown. */
export function toBillingError(err: unknown, logger: JsonLogger): BillingError {
  if (err instanceof BillingError) return err;
  const client = frameworkClientError(err);
  if (client) return new BillingError(BY_STATUS[client.status] ?? (client.malformedJson ? 'MALFORMED_JSON' : 'INVALID_REQUEST'));
  logUnhandled(logger, err);
  return new BillingError('INTERNAL');
}

@Catch()
export class BillingExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const error = toBillingError(err, this.logger);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(error.status).header('content-type', 'application/json; charset=utf-8').send(error.toBody());
  }
}
