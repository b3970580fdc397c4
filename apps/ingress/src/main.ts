import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Controller, Get, Module } from '@nestjs/common';
import { EnvReader, JsonLogger, kafkaConnectionFromEnv, provisionTopics, topicSpecs } from '@app/common';

@Controller('health')
class HealthController {
  @Get('live') live() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HealthController] })
class IngressModule {}

async function bootstrap(): Promise<void> {
  const env = new EnvReader();
  const logger = new JsonLogger('ingress');
  const conn = kafkaConnectionFromEnv('ingress', env);
  await provisionTopics(conn, topicSpecs(), logger);
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule, new FastifyAdapter(), { logger });
  app.enableShutdownHooks();
  const port = env.port('PORT', 3000);
  await app.listen(port, env.string('HOST', '0.0.0.0'));
  logger.info('ingress listening', { port });
}

bootstrap().catch((err: unknown) => {
  new JsonLogger('ingress').error('ingress failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
