import 'reflect-metadata';
import {
  ConfigError,
  createKafka,
  createRegistry,
  EnvReader,
  extraTopics,
  IngressMetrics,
  JsonLogger,
  kafkaConnectionFromEnv,
  loadProviders,
  ProducerPool,
  provisionTopics,
  topicSpecs,
  type TopicSpec,
} from '@app/common';
import { ingressConfigFromEnv } from './config';
import { createIngressApp } from './create-app';

async function bootstrap(logger: JsonLogger): Promise<void> {
  const env = new EnvReader();
  const config = ingressConfigFromEnv(env);
  const providers = loadProviders(config.providersFile, env);
  const conn = kafkaConnectionFromEnv('ingress', env);
  const extra: TopicSpec[] = extraTopics(providers).map((name) => ({ ...topicSpecs()[0], name, description: `webhooks of ${name}` }));
  await provisionTopics(conn, [...topicSpecs(), ...extra], logger);

  const registry = createRegistry('ingress');
  const metrics = new IngressMetrics(registry);
  const producer = new ProducerPool(createKafka(conn, logger), logger, config.producerPoolSize, {
    maxBatchRecords: 1000,
    maxBatchBytes: Math.max(1024 * 1024, config.bodyLimitBytes * 2),
    maxPendingRecords: config.maxInFlightRecords,
    maxPendingBytes: config.maxInFlightBytes,
    deadlineMs: config.produceDeadlineMs,
    onBatch: (records, seconds) => {
      metrics.batchSize.observe(records);
      metrics.produceLatency.observe(seconds);
    },
  });
  await producer.connect();
  const app = await createIngressApp(
    { providers, producer, logger, registry, metrics, topicPrefix: conn.topicPrefix },
    { bodyLimitBytes: config.bodyLimitBytes, trustedProxies: config.trustedProxies },
  );
  app.getHttpAdapter().getInstance().addHook('onClose', async () => producer.disconnect());
  await app.listen(config.port, config.host);
  logger.info('ingress listening', { port: config.port, providers: [...providers.keys()] });
}

const logger = new JsonLogger('ingress');
bootstrap(logger).catch((err: unknown) => {
  logger.error('ingress failed to start', { error: err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
