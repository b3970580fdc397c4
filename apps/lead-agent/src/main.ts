import 'reflect-metadata';
import { agentTopics, JsonLogger, kafkaConnectionFromEnv, provisionTopics, topicSpecs } from '@app/common';

async function bootstrap(): Promise<void> {
  const logger = new JsonLogger('lead-agent');
  const conn = kafkaConnectionFromEnv('lead-agent');
  const own = agentTopics('lead-agent');
  await provisionTopics(conn, [...topicSpecs(), own.deadLetter, own.changelog], logger);
  logger.info('lead-agent started');
  const timer = setInterval(() => undefined, 1 << 30);
  process.once('SIGTERM', () => clearInterval(timer));
  process.once('SIGINT', () => clearInterval(timer));
}

bootstrap().catch((err: unknown) => {
  new JsonLogger('lead-agent').error('lead-agent failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
