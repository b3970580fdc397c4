import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  agentTopicList,
  createKafka,
  createRegistry,
  EnvReader,
  IngressMetrics,
  JsonLogger,
  kafkaConnectionFromEnv,
  loadProviders,
  ProducerPool,
  provisionTopics,
  topicSpecs,
} from '@app/common';
import { createIngressApp } from '../../apps/ingress/src/create-app';
import { ROOT, SECRETS } from './ingress';
import { unique } from './kafka';

export interface RunningIngress {
  app: NestFastifyApplication;
  producer: ProducerPool;
  prefix: string;
  close(): Promise<void>;
}

/** A real ingress (real producer, real broker) under a topic prefix of its own. */
export async function startIngress(opts: { brokers?: string; prefix?: string; deadlineMs?: number; quiet?: boolean } = {}): Promise<RunningIngress> {
  const prefix = opts.prefix ?? `${unique('it')}.`;
  const env = new EnvReader({ ...process.env, ...SECRETS, KAFKA_TOPIC_PREFIX: prefix, ...(opts.brokers ? { KAFKA_BROKERS: opts.brokers } : {}) });
  const conn = kafkaConnectionFromEnv('ingress-it', env);
  const logger = new JsonLogger('ingress-it', (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'error', opts.quiet ? () => undefined : undefined);
  const agentSpecs = ['lead-agent', 'fulfillment-agent'].flatMap((a) => agentTopicList(a));
  await provisionTopics(conn, [...topicSpecs(), ...agentSpecs], logger);
  const registry = createRegistry('ingress-it');
  const producer = new ProducerPool(createKafka(conn, opts.quiet ? undefined : logger), logger, 3, {
    maxBatchRecords: 1000,
    maxBatchBytes: 2 * 1024 * 1024,
    maxPendingRecords: 20_000,
    maxPendingBytes: 64 * 1024 * 1024,
    deadlineMs: opts.deadlineMs ?? 5000,
  });
  await producer.connect();
  const providers = loadProviders(join(ROOT, 'config', 'providers.yaml'), env);
  const app = await createIngressApp(
    { providers, producer, logger, registry, metrics: new IngressMetrics(registry), topicPrefix: prefix },
    { bodyLimitBytes: 1024 * 1024, trustedProxies: [] },
  );
  return {
    app,
    producer,
    prefix,
    close: async () => {
      await app.close();
      await producer.disconnect();
    },
  };
}
