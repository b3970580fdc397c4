/**
 * @app/common: what every hookline process shares and nothing more: fail-fast configuration, JSON
 * logging with redaction, the error catalogue, the CloudEvents envelope and the metrics registry.
 */
import 'reflect-metadata';
export * from './config/env';
export * from './config/node-version';
export * from './logging/logger';
export * from './errors/catalogue';
export * from './errors/describe';
export * from './errors/to-app-error';
export * from './envelope/cloudevent';
export * from './observability/metrics';
export * from './observability/tracing';
export * from './retry/backoff';
