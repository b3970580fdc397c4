import { Inject, Injectable } from '@nestjs/common';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, JsonLogger, toAppError, type Span, type Tracing } from '@app/common';
import { headersAsSent, VerificationError, WebhookIngest } from '@app/webhooks';
import { sendError } from '../http/error-handling';
import { IngressMetrics } from '../metrics';
import { TRACING } from '../tokens';

const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * POST /webhooks/:provider as a plain Fastify route, registered through Nest's adapter (`mount`): Nest
 * builds it with its dependencies and owns its lifecycle, but a request runs no Nest router pipeline
 * (param decorators, interceptor and filter chains, the response mapping). The hot path is this handler,
 * WebhookIngest and the producer. Errors are answered here with the same catalogue body the global
 * filter gives; Fastify's own errors before the handler (body too large, bad content type) still reach
 * that filter.
 */
@Injectable()
export class WebhookRoute {
  constructor(
    private readonly ingest: WebhookIngest,
    private readonly metrics: IngressMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(TRACING) private readonly tracing: Tracing,
  ) {}

  mount(adapter: FastifyAdapter): void {
    adapter.post('/webhooks/:provider', (req: FastifyRequest, reply: FastifyReply) => this.receive(req, reply));
  }

  async receive(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const provider = (req.params as { provider: string }).provider;
    const label = this.ingest.knows(provider) ? provider : 'unknown';
    // The request's SERVER span, a child of the caller's traceparent header when it sent a valid one.
    const span: Span | undefined = this.tracing.enabled
      ? this.tracing.start('POST /webhooks/:provider', {
          parent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
          kind: 'server',
          attributes: { 'http.request.method': 'POST', 'http.route': '/webhooks/:provider', 'url.path': req.url.split('?')[0], 'hookline.provider': label, 'client.address': req.ip },
        })
      : undefined;
    try {
      const outcome = await this.ingest.handle({
        provider,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        headers: headersAsSent(req.raw.rawHeaders, req.raw.headers),
        clientIp: req.ip,
        ...(span ? { parentSpan: span.traceparent } : {}),
      });
      span?.setAttributes({ 'http.response.status_code': outcome.kind === 'handshake' ? 200 : 202, 'hookline.outcome': outcome.kind, 'cloudevents.event_id': 'id' in outcome ? outcome.id : undefined });
      this.metrics.requests.inc({ provider: label, outcome: outcome.kind });
      if (outcome.kind === 'handshake') return reply.code(200).header('content-type', JSON_UTF8).send(JSON.stringify(outcome.body));
      if (outcome.kind === 'quarantined') {
        this.logger.warn('webhook quarantined', { provider, id: outcome.id, reason: outcome.reason });
        return reply.code(202).header('content-type', JSON_UTF8).send(`{"id":${JSON.stringify(outcome.id)},"status":"quarantined"}`);
      }
      return reply.code(202).header('content-type', JSON_UTF8).send(`{"id":${JSON.stringify(outcome.id)},"status":"accepted"}`);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      if (span) {
        span.setAttributes({ 'http.response.status_code': err instanceof AppError ? err.status : 500, 'hookline.outcome': code });
        span.fail(new Error(code));
      }
      this.metrics.requests.inc({ provider: label, outcome: code });
      if (err instanceof VerificationError) {
        this.metrics.verificationFailures.inc({ provider: label, reason: err.reason });
        this.logger.info('webhook refused', { provider: label, code, reason: err.reason, ip: req.ip });
      }
      sendError(reply, toAppError(err, this.logger));
      return reply;
    } finally {
      span?.end();
    }
  }
}
