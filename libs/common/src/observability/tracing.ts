/**
 * Tracing: OpenTelemetry spans exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and nothing at all when it is not: the OpenTelemetry SDK is
 * then never loaded, and `NO_TRACING` answers every call with one shared no-op span (hot paths test
 * `tracing.enabled` and skip even that).
 *
 * Spans are joined across processes by the W3C traceparent each record carries (`ce_traceparent`): a span
 * is started with a traceparent as its parent, and a span's own traceparent is what a record it produces
 * carries. No context manager, no global state: parents are passed explicitly.
 */
import type { Env } from '../config/env';
import type { Span, Tracing } from './span';

export type { Span, SpanAttributes, SpanKind, SpanStart, Tracing } from './span';

const NOOP_SPAN: Span = {
  traceparent: '',
  setAttributes: () => undefined,
  fail: () => undefined,
  end: () => undefined,
};

export const NO_TRACING: Tracing = {
  enabled: false,
  start: () => NOOP_SPAN,
  shutdown: () => Promise.resolve(),
};

/**
 * Whether the environment asks for tracing: an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), OTEL_SDK_DISABLED is not "true" and OTEL_TRACES_EXPORTER is not "none".
 */
export function tracingRequested(env: Env = process.env): boolean {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase() === 'none') return false;
  return set('OTEL_EXPORTER_OTLP_ENDPOINT') || set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
}

/**
 * Tracing for a process named `service` (OTEL_SERVICE_NAME overrides it): OTLP export when requested
 * (see tracingRequested), else NO_TRACING without loading any OpenTelemetry package.
 */
export function tracingFromEnv(service: string, env: Env = process.env): Tracing {
  if (!tracingRequested(env)) return NO_TRACING;
  // Loaded only here: without an endpoint no OpenTelemetry module is ever required.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OtlpTracing } = require('./otel') as typeof import('./otel');
  return new OtlpTracing(service, env);
}
