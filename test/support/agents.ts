import type { INestApplication, Type } from '@nestjs/common';
import { agentOptionsFromEnv, createAgentApp, type AgentOptions } from '@app/agent';
import { EnvReader } from '@app/common';
import { kafkaConnectionFromEnv } from '@app/kafka';
import { testLogger } from './test-logger';

/** An agent running in this process against the test broker, under the given topic prefix. */
export async function startAgent(
  name: string,
  feature: Type<unknown>,
  prefix: string,
  overrides: Partial<AgentOptions> = {},
  brokers?: string,
): Promise<INestApplication> {
  const env = new EnvReader({ ...process.env, KAFKA_TOPIC_PREFIX: prefix, ...(brokers ? { KAFKA_BROKERS: brokers } : {}) });
  const options = { ...agentOptionsFromEnv(name, env), sessionTimeoutMs: 6000, ...overrides };
  const logger = testLogger(name);
  const app = await createAgentApp(feature, { options, connection: kafkaConnectionFromEnv(name, env), logger });
  await app.init();
  return app;
}
