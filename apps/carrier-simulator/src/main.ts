import 'reflect-metadata';
import { ConfigError, EnvReader, JsonLogger, requireNode24 } from '@app/common';
import { carrierConfigFromEnv } from './config';
import { createCarrierApp } from './create-app';

requireNode24();

async function bootstrap(logger: JsonLogger): Promise<void> {
  const config = carrierConfigFromEnv(new EnvReader());
  const app = await createCarrierApp({ delivery: config.delivery, logger });
  // SIGTERM/SIGINT close the app, which clears every pending delivery timer.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const { secret: _secret, ...delivery } = config.delivery;
  logger.info('carrier-simulator listening', { port: config.port, host: config.host, delivery });
}

const logger = new JsonLogger('carrier-simulator');
bootstrap(logger).catch((err: unknown) => {
  logger.error('carrier-simulator failed to start', { error: err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
