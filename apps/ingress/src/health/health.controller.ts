import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { ProducerPort } from '@app/kafka';
import { clusterMetrics, isIngressWorker } from '../cluster';
import { METRICS_REGISTRY, PRODUCER } from '../tokens';

@Controller()
export class HealthController {
  constructor(
    @Inject(PRODUCER) private readonly producer: ProducerPort,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** Ready only while the producer is connected: a load balancer then stops sending us webhooks. */
  @Get('health/ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const ready = this.producer.connected;
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', kafka: ready ? 'connected' : 'disconnected' };
  }

  /** With INGRESS_WORKERS > 1, any worker answers with the sum over all workers (see cluster.ts). */
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics() {
    return isIngressWorker() ? clusterMetrics() : this.registry.metrics();
  }
}
