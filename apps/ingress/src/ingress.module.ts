import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { IngressMetrics } from './metrics';
import { JsonLogger, NO_TRACING, type Tracing } from '@app/common';
import { WebhookIngest, type Provider } from '@app/webhooks';
import { type ProducerPort } from '@app/kafka';
import { HealthController } from './health/health.controller';
import { METRICS_REGISTRY, PRODUCER, TRACING } from './tokens';
import { WebhookRoute } from './webhooks/webhook-route';

export interface IngressDeps {
  providers: Map<string, Provider>;
  producer: ProducerPort;
  logger: JsonLogger;
  registry: Registry;
  metrics: IngressMetrics;
  topicPrefix: string;
  /** Spans of each request (NO_TRACING when OTEL_EXPORTER_OTLP_ENDPOINT is unset). */
  tracing?: Tracing;
}

@Module({})
export class IngressModule {
  static register(deps: IngressDeps): DynamicModule {
    return {
      module: IngressModule,
      // POST /webhooks/:provider is WebhookRoute, a plain Fastify route mounted by createIngressApp.
      controllers: [HealthController],
      providers: [
        { provide: JsonLogger, useValue: deps.logger },
        { provide: PRODUCER, useValue: deps.producer },
        { provide: METRICS_REGISTRY, useValue: deps.registry },
        { provide: IngressMetrics, useValue: deps.metrics },
        { provide: TRACING, useValue: deps.tracing ?? NO_TRACING },
        { provide: WebhookIngest, useFactory: () => new WebhookIngest(deps.providers, deps.producer, deps.topicPrefix, Date.now, deps.tracing ?? NO_TRACING) },
        WebhookRoute,
      ],
    };
  }
}
