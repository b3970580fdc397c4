import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, JsonLogger, type Span, type Tracing } from '@app/common';
import { IngressMetrics } from '../metrics';
import { TRACING } from '../tokens';
import { headersAsSent, VerificationError, WebhookIngest } from '@app/webhooks';

/** POST /webhooks/:provider: turns the request into an IngestCommand and answers from the outcome. */
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly ingest: WebhookIngest,
    private readonly metrics: IngressMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(TRACING) private readonly tracing: Tracing,
  ) {}

  @Post(':provider')
  async receive(@Param('provider') provider: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
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
        headers: headersAsSent(req.raw.rawHeaders, req.headers),
        clientIp: req.ip,
        ...(span ? { parentSpan: span.traceparent } : {}),
      });
      span?.setAttributes({ 'http.response.status_code': outcome.kind === 'handshake' ? 200 : 202, 'hookline.outcome': outcome.kind, 'cloudevents.event_id': 'id' in outcome ? outcome.id : undefined });
      this.metrics.requests.inc({ provider: label, outcome: outcome.kind });
      if (outcome.kind === 'handshake') {
        void reply.status(200);
        return outcome.body;
      }
      void reply.status(202);
      if (outcome.kind === 'quarantined') {
        this.logger.warn('webhook quarantined', { provider, id: outcome.id, reason: outcome.reason });
        return { id: outcome.id, status: 'quarantined' };
      }
      return { id: outcome.id, status: 'accepted' };
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
      throw err;
    } finally {
      span?.end();
    }
  }
}
