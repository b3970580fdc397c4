import 'reflect-metadata';
import { agentTopics, JsonLogger, kafkaConnectionFromEnv, provisionTopics, topicSpecs } from '@app/common';

async function bootstrap(): Promise<void> {
  const logger = new JsonLogger('fulfillment-agent');
  const conn = kafkaConnectionFromEnv('fulfillment-agent');
  const own = agentTopics('fulfillment-agent');
  await provisionTopics(conn, [...topicSpecs(), own.deadLetter, own.changelog], logger);
  logger.info('fulfillment-agent started');
  const timer = setInterval(() => undefined, 1 << 30);
  process.once('SIGTERM', () => clearInterval(timer));
  process.once('SIGINT', () => clearInterval(timer));
}

bootstrap().catch((err: unknown) => {
  new JsonLogger('fulfillment-agent').error('fulfillment-agent failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
