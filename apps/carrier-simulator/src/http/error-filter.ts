import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyError, FastifyReply } from 'fastify';
import { JsonLogger } from '@app/common';
import { CarrierError, type CarrierErrorCode } from '../errors';

const BY_FASTIFY_CODE: Record<string, CarrierErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

/** Any thrown value becomes a CarrierError; unknown ones become INTERNAL and are logged, never shown. */
export function toCarrierError(err: unknown, logger: JsonLogger): CarrierError {
  if (err instanceof CarrierError) return err;
  if (err instanceof HttpException) return new CarrierError(err.getStatus() === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST');
  const fastify = err as Partial<FastifyError> | undefined;
  const byCode = typeof fastify?.code === 'string' ? BY_FASTIFY_CODE[fastify.code] : undefined;
  if (byCode) return new CarrierError(byCode);
  // Fastify's JSON parser reports a syntax error as a plain SyntaxError with statusCode 400.
  const status = fastify?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new CarrierError(err instanceof SyntaxError ? 'MALFORMED_JSON' : 'INVALID_REQUEST');
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
