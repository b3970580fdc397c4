import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { agentTopicList } from '@app/contracts';
import { EnvReader } from '@app/common';
import { type ProducerPool } from '@app/kafka';
import { buildIngress } from '../../apps/ingress/src/build-ingress';
import { ROOT, SECRETS } from './ingress';
import { unique } from './kafka';
import { testLogger } from './test-logger';

export interface RunningIngress {
  app: NestFastifyApplication;
  producer: ProducerPool;
  prefix: string;
  close(): Promise<void>;
}

/** A real ingress (the production wiring, a real broker) under a topic prefix of its own. */
export async function startIngress(opts: { brokers?: string; prefix?: string; deadlineMs?: number; quiet?: boolean; env?: Record<string, string> } = {}): Promise<RunningIngress> {
  const prefix = opts.prefix ?? `${unique('it')}.`;
  const env = new EnvReader({
    ...process.env,
    ...SECRETS,
    KAFKA_TOPIC_PREFIX: prefix,
    PROVIDERS_FILE: join(ROOT, 'config', 'providers.yaml'),
    PRODUCE_DEADLINE_MS: String(opts.deadlineMs ?? 5000),
    PRODUCER_POOL_SIZE: '3',
    ...(opts.brokers ? { KAFKA_BROKERS: opts.brokers } : {}),
    ...opts.env,
  });
  const logger = testLogger('ingress-it', opts.quiet);
  // The agents' own topics too: agent tests share this prefix.
  const agentSpecs = ['lead-agent', 'fulfillment-agent'].flatMap((a) => agentTopicList(a));
  const { app, producer } = await buildIngress(env, logger, agentSpecs);
  return { app, producer, prefix, close: () => app.close() };
}
