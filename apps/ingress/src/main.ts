import 'reflect-metadata';
import { EnvReader, JsonLogger, requireNode24 } from '@app/common';
import { buildIngress } from './build-ingress';

requireNode24();

async function bootstrap(logger: JsonLogger): Promise<void> {
  const { app, config, providers } = await buildIngress(new EnvReader(), logger);
  await app.listen(config.port, config.host);
  logger.info('ingress listening', { port: config.port, providers: [...providers.keys()] });
}

const logger = new JsonLogger('ingress');
bootstrap(logger).catch((err: unknown) => {
  logger.error('ingress failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
