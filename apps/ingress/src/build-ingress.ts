import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { compressionFromName, createKafka, kafkaConnectionFromEnv, ProducerPool, provisionTopics } from '@app/kafka';
import { createRegistry, tracingFromEnv, type EnvReader, type JsonLogger } from '@app/common';
import { extraTopics, loadProviders, type Provider } from '@app/webhooks';
import type { Registry } from 'prom-client';
import { IngressMetrics } from './metrics';
import { providerTopicSpec, topicSpecs, type TopicSpec } from '@app/contracts';
import { ingressConfigFromEnv, type IngressConfig } from './config';
import { createIngressApp } from './create-app';

export interface Ingress {
  app: NestFastifyApplication;
  registry: Registry;
  producer: ProducerPool;
  config: IngressConfig;
  providers: Map<string, Provider>;
  topicPrefix: string;
}

/**
 * Everything the ingress process wires, from its environment: config, providers, topics, the producer pool
 * and the HTTP app (not listening). main.ts and the integration tests start the ingress through this one
 * path. Closing the app disconnects the producers.
 */
export async function buildIngress(env: EnvReader, logger: JsonLogger, extraSpecs: TopicSpec[] = [], options: { shutdownHooks?: boolean } = {}): Promise<Ingress> {
  const config = ingressConfigFromEnv(env);
  const providers = loadProviders(config.providersFile, env);
  const conn = kafkaConnectionFromEnv('ingress', env);
  await provisionTopics(conn, [...topicSpecs(), ...extraTopics(providers).map(providerTopicSpec), ...extraSpecs], logger);

  const registry = createRegistry('ingress');
  const metrics = new IngressMetrics(registry);
  const producer = new ProducerPool(createKafka(conn, logger), logger, config.producerPoolSize, {
    maxBatchRecords: 1000,
    maxBatchBytes: Math.max(1024 * 1024, config.bodyLimitBytes * 2),
    maxPendingRecords: config.maxInFlightRecords,
    maxPendingBytes: config.maxInFlightBytes,
    deadlineMs: config.produceDeadlineMs,
    compression: compressionFromName(config.compression),
    onBatch: (records, seconds) => {
      metrics.batchSize.observe(records);
      metrics.produceLatency.observe(seconds);
    },
  });
  await producer.connect();
  // OTLP spans when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise no OpenTelemetry module is loaded.
  const tracing = tracingFromEnv('ingress');
  if (tracing.enabled) logger.info('tracing: exporting spans over OTLP', { endpoint: env.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? env.raw('OTEL_EXPORTER_OTLP_ENDPOINT') });
  const app = await createIngressApp(
    { providers, producer, logger, registry, metrics, topicPrefix: conn.topicPrefix, tracing },
    {
      bodyLimitBytes: config.bodyLimitBytes,
      trustedProxies: config.trustedProxies,
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      shutdownHooks: options.shutdownHooks,
    },
  );
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await producer.disconnect();
    await tracing.shutdown();
  });
  return { app, registry, producer, config, providers, topicPrefix: conn.topicPrefix };
}
