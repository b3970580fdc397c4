import 'reflect-metadata';
import { ConfigError, EnvReader, JsonLogger, requireNode24 } from '@app/common';
import { createBillingApp } from './create-app';

requireNode24();

async function bootstrap(logger: JsonLogger): Promise<void> {
  const env = new EnvReader();
  const port = env.port('PORT', 3201);
  const host = env.string('HOST', '0.0.0.0');
  const app = await createBillingApp({ logger });
  app.enableShutdownHooks();
  await app.listen(port, host);
  logger.info('billing-simulator listening', { port, host });
}

const logger = new JsonLogger('billing-simulator');
bootstrap(logger).catch((err: unknown) => {
  logger.error('billing-simulator failed to start', { error: err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
