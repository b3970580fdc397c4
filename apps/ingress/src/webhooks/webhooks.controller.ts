import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, JsonLogger } from '@app/common';
import { IngressMetrics } from '../metrics';
import { headersAsSent, VerificationError, WebhookIngest } from '@app/webhooks';

/** POST /webhooks/:provider: turns the request into an IngestCommand and answers from the outcome. */
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly ingest: WebhookIngest,
    private readonly metrics: IngressMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  @Post(':provider')
  async receive(@Param('provider') provider: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const label = this.ingest.knows(provider) ? provider : 'unknown';
    try {
      const outcome = await this.ingest.handle({
        provider,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        headers: headersAsSent(req.raw.rawHeaders, req.headers),
        clientIp: req.ip,
      });
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
      this.metrics.requests.inc({ provider: label, outcome: code });
      if (err instanceof VerificationError) {
        this.metrics.verificationFailures.inc({ provider: label, reason: err.reason });
        this.logger.info('webhook refused', { provider: label, code, reason: err.reason, ip: req.ip });
      }
      throw err;
    }
  }
}
