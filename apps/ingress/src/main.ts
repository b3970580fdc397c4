import 'reflect-metadata';
import { EnvReader, JsonLogger, requireNode24 } from '@app/common';
import { buildIngress } from './build-ingress';
import { isIngressWorker, runPrimary, setUpWorker } from './cluster';
import { ingressConfigFromEnv } from './config';

requireNode24();

async function bootstrap(logger: JsonLogger): Promise<void> {
  const env = new EnvReader();
  const worker = isIngressWorker();
  if (!worker) {
    const config = ingressConfigFromEnv(env); // a bad setting stops the primary before any worker starts
    if (config.workers > 1) {
      runPrimary({ workers: config.workers, shutdownGraceMs: config.produceDeadlineMs + 10_000 }, logger);
      return;
    }
  }
  const { app, config, providers, registry } = await buildIngress(env, logger, [], { shutdownHooks: !worker });
  if (worker) setUpWorker(registry, () => app.close(), logger);
  await app.listen(config.port, config.host);
  logger.info('ingress listening', { port: config.port, providers: [...providers.keys()], ...(worker ? { pid: process.pid } : {}) });
}

const logger = new JsonLogger('ingress');
bootstrap(logger).catch((err: unknown) => {
  logger.error('ingress failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
