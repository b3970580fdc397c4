/**
 * @app/agent: the exactly-once agent runtime. What an agent's handlers use (AgentContext, DeadLetterError,
 * followUpId) and how an agent process starts (runAgent).
 */
export * from './types';
export * from './ids';
export * from './stores';
export * from './processor';
export * from './limiter';
export { readRetryInfo, RETRY_HEADERS, type FailedAttempt, type RetryInfo } from './retry-record';
export * from './metrics';
export * from './runtime';
export * from './chunk-transaction';
export * from './nest/transport';
export * from './copartitioned-assigner';
export * from './nest/agent-app';
// What an agent's own code needs beside handlers: its configuration and its logger. Re-exported so
// that an agent depends on @app/agent and @app/contracts only.
export { ConfigError, EnvReader, JsonLogger } from '@app/common';
export * from './redrive';
export * from './replay';
