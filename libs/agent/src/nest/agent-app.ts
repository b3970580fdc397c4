import { Catch, Controller, Get, Header, Inject, Module, Res, type DynamicModule, type INestApplication, type RpcExceptionFilter, type Type } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { AgentMetrics } from '../metrics';
import type { AgentFailure } from '../runtime';
import { ExactlyOnceServer } from './transport';
import type { AgentOptions } from '../types';
import { ConfigError, createRegistry, EnvReader, JsonLogger, requireNode24, tracingFromEnv } from '@app/common';
import { createKafka, type KafkaConnection, kafkaConnectionFromEnv, provisionTopics } from '@app/kafka';
import { agentTopicList, ENTITY_PARTITIONS, topicSpecs } from '@app/contracts';

const SERVER = Symbol('AGENT_SERVER');
const REGISTRY = Symbol('AGENT_REGISTRY');

@Controller()
class AgentHealthController {
  constructor(
    @Inject(SERVER) private readonly server: ExactlyOnceServer,
    @Inject(REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  health(@Res({ passthrough: true }) reply: FastifyReply) {
    const failure = this.server.failed;
    if (failure) {
      // The agent cannot go on (the process exits shortly): the cause, no stack.
      void reply.status(503);
      return { status: 'failed', error: { code: failure.code, message: failure.message }, since: failure.at };
    }
    void reply.status(this.server.ready ? 200 : 503);
    const status = this.server.ready ? 'ok' : this.server.reconnecting ? 'reconnecting' : 'starting';
    return { status, rememberedIds: this.server.rememberedIds };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics() {
    return this.registry.metrics();
  }
}

/**
 * Nest's default filter turns any handler error that is not an RpcException into `{ status: 'error',
 * message: 'Internal server error' }`: the runtime would lose the message it dead-letters with and the
 * DeadLetterError it must recognise. Handler errors reach the runtime as thrown.
 */
@Catch()
class HandlerErrorsAsThrown implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

@Module({})
class AgentHealthModule {
  static register(server: ExactlyOnceServer, registry: Registry): DynamicModule {
    return {
      module: AgentHealthModule,
      controllers: [AgentHealthController],
      providers: [
        { provide: SERVER, useValue: server },
        { provide: REGISTRY, useValue: registry },
      ],
    };
  }
}

/** Per-agent defaults for settings the environment may override. */
export interface AgentDefaults {
  /** STATE_TTL_DAYS when unset; 0 keeps keyed state forever. */
  stateTtlDays?: number;
}

/** Agent settings from the environment, checked at start-up. */
export function agentOptionsFromEnv(name: string, env = new EnvReader(), defaults: AgentDefaults = {}): AgentOptions {
  return {
    name,
    dedupWindowMs: env.int('DEDUP_WINDOW_HOURS', 72, { min: 1, max: 24 * 365 }) * 3_600_000,
    stateTtlMs: env.int('STATE_TTL_DAYS', defaults.stateTtlDays ?? 0, { min: 0, max: 3650 }) * 86_400_000,
    retry: {
      maxAttempts: env.int('RETRY_MAX_ATTEMPTS', 5, { min: 1, max: 100 }),
      initialBackoffMs: env.int('RETRY_INITIAL_MS', 200, { min: 1, max: 60_000 }),
      maxBackoffMs: env.int('RETRY_MAX_MS', 5000, { min: 1, max: 60_000 }),
    },
    maxRecordsPerTransaction: env.int('MAX_RECORDS_PER_TRANSACTION', 500, { min: 1, max: 10_000 }),
    concurrency: env.int('AGENT_CONCURRENCY', ENTITY_PARTITIONS, { min: 1, max: 64 }),
    maxInFlight: env.int('AGENT_MAX_IN_FLIGHT', 256, { min: 1, max: 10_000 }),
    handlerTimeoutMs: env.int('HANDLER_TIMEOUT_MS', 30_000, { min: 10, max: 15 * 60_000 }),
    sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 10_000, { min: 6000, max: 300_000 }),
    ...shadowFromEnv(env),
  };
}

/** Letters, digits, '.', '_' and '-', ending in '.' or '-' so that it reads as a prefix of topic names. */
const SHADOW_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}[.-]$/;

/** AGENT_SHADOW_PREFIX: unset for the agent itself; set, the process is a shadow instance of it. */
function shadowFromEnv(env: EnvReader): { shadowPrefix?: string } {
  const prefix = env.optional('AGENT_SHADOW_PREFIX');
  if (prefix === undefined) return {};
  if (!SHADOW_PREFIX.test(prefix)) {
    throw new ConfigError(`AGENT_SHADOW_PREFIX must be letters, digits, '.', '_' or '-' ending in '.' or '-' (like "shadow."), got "${prefix}"`);
  }
  return { shadowPrefix: prefix };
}

export interface AgentAppOptions {
  options: AgentOptions;
  connection: KafkaConnection;
  logger: JsonLogger;
  /** Called once when the agent cannot go on by itself; runAgent exits the process. */
  onFatal?: (failure: AgentFailure) => void;
}

/**
 * An agent process: the feature module's @EventPattern handlers on the exactly-once transport, plus a
 * small HTTP server for /health and /metrics. Call listen(port) on the result.
 */
export async function createAgentApp(feature: Type<unknown>, { options, connection: given, logger, onFatal }: AgentAppOptions): Promise<INestApplication> {
  // A shadow instance: every topic, group and transactional id one prefix further down.
  const connection = options.shadowPrefix === undefined ? given : { ...given, topicPrefix: `${given.topicPrefix}${options.shadowPrefix}` };
  await provisionTopics(connection, [...topicSpecs(), ...agentTopicList(options.name, options.dedupWindowMs)], logger);
  const registry = createRegistry(options.name);
  const server = new ExactlyOnceServer({
    kafka: createKafka(connection, logger),
    options,
    topicPrefix: connection.topicPrefix,
    logger,
    metrics: new AgentMetrics(registry),
    // OTLP spans when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise no OpenTelemetry module is loaded.
    tracing: tracingFromEnv(options.shadowPrefix === undefined ? options.name : `${options.shadowPrefix}${options.name}`),
    onFatal,
  });
  @Module({ imports: [feature, AgentHealthModule.register(server, registry)] })
  class AgentRootModule {}
  const app = await NestFactory.create(AgentRootModule, new FastifyAdapter(), { logger });
  // Its own config (the health routes keep Nest's HTTP error handling); listeners are registered at start,
  // after the filter.
  app.connectMicroservice({ strategy: server }, { deferInitialization: true }).useGlobalFilters(new HandlerErrorsAsThrown());
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  return app;
}

/** main.ts of an agent: read config, start, exit non-zero on a start-up failure. */
export function runAgent(name: string, feature: Type<unknown>, defaultHealthPort: number, defaults: AgentDefaults = {}): void {
  requireNode24();
  const logger = new JsonLogger(name);
  const start = async () => {
    const env = new EnvReader();
    // Long enough for a probe to read the red /health, short enough that nothing waits on a dead consumer.
    const exitDelayMs = env.int('FATAL_EXIT_DELAY_MS', 2000, { min: 0, max: 60_000 });
    const onFatal = (failure: AgentFailure) => {
      logger.error(`${name} exiting`, { code: failure.code, reason: failure.message, exitInMs: exitDelayMs });
      setTimeout(() => process.exit(1), exitDelayMs);
    };
    const app = await createAgentApp(feature, { options: agentOptionsFromEnv(name, env, defaults), connection: kafkaConnectionFromEnv(name, env), logger, onFatal });
    const port = env.port('HEALTH_PORT', defaultHealthPort);
    await app.listen(port, env.string('HOST', '0.0.0.0'));
    logger.info(`${name} started`, { healthPort: port });
  };
  start().catch((err: unknown) => {
    logger.error(`${name} failed to start`, { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
