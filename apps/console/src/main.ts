import 'reflect-metadata';
import { ConfigError, EnvReader, JsonLogger, requireNode24 } from '@app/common';
import { createKafka, kafkaConnectionFromEnv } from '@app/kafka';
import { consoleConfigFromEnv } from './config';
import { ConsoleReader } from './console-reader';
import { createConsoleApp } from './create-app';

requireNode24();

async function bootstrap(logger: JsonLogger): Promise<void> {
  const env = new EnvReader();
  const config = consoleConfigFromEnv(env);
  const connection = kafkaConnectionFromEnv('console', env);
  const kafka = createKafka(connection, logger);
  // Connected on first use and again after a broker outage: the console starts without Kafka and says so on each page.
  const admin = kafka.admin();
  const reader = new ConsoleReader(kafka, admin, connection.topicPrefix, config);
  const app = await createConsoleApp({ reader, config, logger });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => admin.disconnect());
  await app.listen(config.port, config.host);
  logger.info('console listening', { port: config.port, agents: config.agents.map((a) => `${a.name}=${a.healthUrl}`), brokers: connection.brokers });
}

const logger = new JsonLogger('console');
bootstrap(logger).catch((err: unknown) => {
  logger.error('console failed to start', { error: err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
