import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply } from 'fastify';
import { JsonLogger } from '@app/common';
import { BillingError, type BillingErrorCode } from '../errors';

const BY_STATUS: Record<number, BillingErrorCode> = { 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/** Any thrown value becomes a BillingError; unknown ones become INTERNAL and are logged, never shown. */
export function toBillingError(err: unknown, logger: JsonLogger): BillingError {
  if (err instanceof BillingError) return err;
  const status = err instanceof HttpException ? err.getStatus() : (err as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = BY_STATUS[status];
    if (known) return new BillingError(known);
    const message = err instanceof Error ? err.message : '';
    return new BillingError(status === 400 && /json/i.test(message) ? 'MALFORMED_JSON' : 'INVALID_REQUEST');
  }
  logger.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
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
